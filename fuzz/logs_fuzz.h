/*
 * logs_fuzz.h — shared body of the line-log fuzz targets: the input is a
 * file; the format is detected from it and, in turn, each format of the
 * target's family is forced; every line is parsed, looked up, visited and
 * rendered as JSON, which must hold no raw control character and only
 * valid UTF-8.
 */
#ifndef SP_LOGS_FUZZ_H
#define SP_LOGS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "base/arena.h"
#include "base/buf.h"
#include "logs/logs.h"

static int lf_visit(void *u, const char *n, size_t nl, const sp_value *v)
{
    (void)n; (void)nl;
    *(size_t *)u += v->len;
    return 0;
}

static void lf_run(const uint8_t *data, size_t size, sp_logfmt f)
{
    sp_logstate *st = sp_logstate_new(f, "fuzz/conn.log");
    if (!st) return;
    sp_logstate_set_ref_time(st, 1672660800000LL);
    sp_arena a;
    sp_arena_init(&a, 4096);
    sp_buf b;
    sp_buf_init(&b);
    const char *p = (const char *)data, *e = p + size;
    while (p < e) {
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(e - p);
        sp_arena_reset(&a);
        sp_logevent ev;
        char err[128];
        if (sp_log_parse(st, p, len, &a, &ev, err, sizeof err) == 1) {
            sp_value v[4];
            sp_logevent_field(&ev, "c-ip", 4, v, 4);
            sp_logevent_field(&ev, "id.orig_h", 9, v, 4);
            sp_event se;
            sp_event_from_log(&se, &ev);
            size_t total = 0;
            se.each(se.ev, lf_visit, &total);
            (void)se.time_unix_ms(se.ev);
            b.len = 0;
            sp_logevent_json(&ev, &b);
            /* no raw control character, only valid UTF-8 */
            for (size_t i = 0; i < b.len;) {
                unsigned char c = (unsigned char)b.p[i];
                if (c < 0x20) __builtin_trap();
                if (c < 0x80) { i++; continue; }
                size_t k = sp_utf8_seq_len((const unsigned char *)b.p + i, b.len - i);
                if (!k) __builtin_trap();
                i += k;
            }
        }
        p = nl ? nl + 1 : e;
    }
    sp_buf_fini(&b);
    sp_arena_fini(&a);
    sp_logstate_free(st);
}

static void lf_family(const uint8_t *data, size_t size, const sp_logfmt *fam, size_t n)
{
    sp_logfmt d = sp_log_detect((const char *)data, size);
    if (d) lf_run(data, size, d);
    for (size_t i = 0; i < n; i++)
        if (fam[i] != d) lf_run(data, size, fam[i]);
    (void)sp_log_is_zeek_json((const char *)data, size);
}

#endif
