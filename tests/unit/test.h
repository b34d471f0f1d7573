/*
 * test.h — the unit-test harness.  A test is a function declared with
 * TEST(name); it registers itself (constructor), so a new test file needs no
 * list to edit.  CHECK* record a failure and continue; the runner prints one
 * line per failing check and ends with "N passed, N failed".
 *
 *   ./unit_tests            run all
 *   ./unit_tests PATTERN    run tests whose name contains PATTERN
 *
 * Tests that need ../shared/datasets call SKIP("why") when it is absent;
 * skips are counted and printed, never silently passed.
 */
#ifndef SP_TEST_H
#define SP_TEST_H

#include <stdio.h>
#include <string.h>

typedef void (*test_fn)(void);
void test_register(const char *name, test_fn fn, const char *file);
void test_fail(const char *file, int line, const char *expr);
void test_skip(const char *why);
const char *test_data_dir(void);   /* path of shared/datasets, or NULL */

#define TEST(name)                                                        \
    static void test_##name(void);                                        \
    __attribute__((constructor)) static void reg_##name(void)             \
    { test_register(#name, test_##name, __FILE__); }                      \
    static void test_##name(void)

#define CHECK(e) do { if (!(e)) test_fail(__FILE__, __LINE__, #e); } while (0)
#define CHECK_EQ_INT(a, b) do { long long _a = (long long)(a), _b = (long long)(b); \
    if (_a != _b) { char _m[256]; snprintf(_m, sizeof _m, "%s == %s (%lld vs %lld)", #a, #b, _a, _b); \
    test_fail(__FILE__, __LINE__, _m); } } while (0)
#define CHECK_STR(a, b) do { const char *_a = (a), *_b = (b); \
    if (!_a || !_b || strcmp(_a, _b)) { char _m[512]; snprintf(_m, sizeof _m, "%s == %s (\"%.200s\" vs \"%.200s\")", #a, #b, _a ? _a : "(null)", _b ? _b : "(null)"); \
    test_fail(__FILE__, __LINE__, _m); } } while (0)
#define SKIP(why) do { test_skip(why); return; } while (0)

#endif
