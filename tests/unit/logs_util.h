/*
 * logs_util.h — helpers for the log reader unit tests: parse one line with a
 * given state and read a field back as a NUL-terminated string.
 */
#ifndef SP_LOGS_TEST_UTIL_H
#define SP_LOGS_TEST_UTIL_H

#include <string.h>
#include "logs/logs.h"
#include "base/buf.h"

typedef struct lt {
    sp_logstate *st;
    sp_arena a;
    sp_logevent ev;
    char err[256];
    char val[512];
} lt;

static inline void lt_init(lt *t, sp_logfmt f, const char *name)
{
    memset(t, 0, sizeof *t);
    t->st = sp_logstate_new(f, name);
    sp_arena_init(&t->a, 16384);
}

static inline void lt_fini(lt *t)
{
    sp_logstate_free(t->st);
    sp_arena_fini(&t->a);
}

static inline int lt_parse(lt *t, const char *line)
{
    sp_arena_reset(&t->a);
    t->err[0] = 0;
    return sp_log_parse(t->st, line, strlen(line), &t->a, &t->ev, t->err, sizeof t->err);
}

/* value of `name` (index k of several) as a string; "(absent)" / "(null)" */
static inline const char *lt_getk(lt *t, const char *name, size_t k)
{
    sp_value v[16];
    size_t n = sp_logevent_field(&t->ev, name, strlen(name), v, 16);
    if (n <= k) return "(absent)";
    if (v[k].is_null) return "(null)";
    size_t l = v[k].len < sizeof t->val - 1 ? v[k].len : sizeof t->val - 1;
    memcpy(t->val, v[k].str, l);
    t->val[l] = 0;
    return t->val;
}
#define lt_get(t, name) lt_getk((t), (name), 0)

static inline size_t lt_count(lt *t, const char *name)
{
    return sp_logevent_field(&t->ev, name, strlen(name), NULL, 0);
}

#endif
