/* test_main.c — the unit-test runner (see test.h). */
#include "test.h"

#include <stdlib.h>
#include <unistd.h>

#define MAX_TESTS 4096
static struct { const char *name, *file; test_fn fn; } tests[MAX_TESTS];
static int ntests, cur_failed, cur_skipped;
static const char *cur_name;

void test_register(const char *name, test_fn fn, const char *file)
{
    if (ntests < MAX_TESTS) { tests[ntests].name = name; tests[ntests].fn = fn; tests[ntests].file = file; ntests++; }
}

void test_fail(const char *file, int line, const char *expr)
{
    cur_failed++;
    printf("FAIL %s (%s:%d): %s\n", cur_name, file, line, expr);
}

void test_skip(const char *why)
{
    cur_skipped = 1;
    printf("SKIP %s: %s\n", cur_name, why);
}

const char *test_data_dir(void)
{
    static char buf[4096];
    const char *e = getenv("SPOOR_DATASETS");
    if (e && *e) return access(e, R_OK) == 0 ? e : NULL;
    const char *cands[] = {"../shared/datasets", "../../shared/datasets"};
    for (size_t i = 0; i < sizeof cands / sizeof *cands; i++)
        if (access(cands[i], R_OK) == 0) { snprintf(buf, sizeof buf, "%s", cands[i]); return buf; }
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int main(int argc, char **argv)
{
    const char *pat = argc > 1 ? argv[1] : NULL;
    int passed = 0, failed = 0, skipped = 0;
    /* stable order: by name */
    const char *names[MAX_TESTS];
    for (int i = 0; i < ntests; i++) names[i] = tests[i].name;
    qsort(names, (size_t)ntests, sizeof *names, cmp);
    for (int k = 0; k < ntests; k++) {
        int i = 0;
        while (tests[i].name != names[k]) i++;
        if (pat && !strstr(tests[i].name, pat)) continue;
        cur_name = tests[i].name;
        cur_failed = 0;
        cur_skipped = 0;
        tests[i].fn();
        if (cur_failed) failed++;
        else if (cur_skipped) skipped++;
        else passed++;
        fflush(stdout);
    }
    printf("unit: %d passed, %d failed, %d skipped\n", passed, failed, skipped);
    return failed ? 1 : 0;
}
