/*
 * sigma_event.c — sp_event adapters: EVTX records and key/value lists, and
 * the ISO 8601 timestamp parser the matcher and correlations share.
 */
#include <stdlib.h>
#include <string.h>

#include "sigma/sigma_event.h"
#include "base/civil.h"

/* ------------------------------------------------------------ EVTX */

static size_t rec_field(const void *ev, const char *name, size_t len, sp_value *vals, size_t max)
{
    return sp_record_field((const sp_record *)ev, name, len, vals, max);
}

static void rec_each(const void *ev, sp_field_fn fn, void *user)
{
    sp_record_fields((const sp_record *)ev, fn, user);
}

static size_t rec_nfields(const void *ev) { return sp_record_field_count((const sp_record *)ev); }
static const char *rec_name_at(const void *ev, size_t i, size_t *len)
{
    return sp_record_field_name((const sp_record *)ev, i, len);
}
static size_t rec_values_at(const void *ev, size_t i, sp_value *vals, size_t max)
{
    return sp_record_field_values((const sp_record *)ev, i, vals, max);
}

static const void *rec_names_id(const void *ev) { return sp_record_names_id((const sp_record *)ev); }

static int64_t rec_time(const void *ev)
{
    uint64_t ft = sp_record_filetime((const sp_record *)ev);
    if (ft < 116444736000000000ULL) return INT64_MIN;
    return (int64_t)((ft - 116444736000000000ULL) / 10000u);
}

void sp_event_from_record(sp_event *out, const sp_record *rec)
{
    memset(out, 0, sizeof *out);
    out->field = rec_field;
    out->each = rec_each;
    out->nfields = rec_nfields;
    out->name_at = rec_name_at;
    out->values_at = rec_values_at;
    out->name_gen = sp_record_names_gen(rec);
    out->names_id = rec_names_id;
    out->time_unix_ms = rec_time;
    out->ev = rec;
}

/* ------------------------------------------------------------ key/value */

static void kv_value(const sp_kv_event *k, size_t i, sp_value *v)
{
    const char *s = k->kv[2 * i + 1];
    memset(v, 0, sizeof *v);
    if (!s) { v->str = ""; v->is_null = 1; return; }
    v->str = s;
    v->len = strlen(s);
    if (k->typed_ints && v->len && v->len < 19) {
        size_t j = s[0] == '-' ? 1 : 0;
        int ok = j < v->len;
        for (; j < v->len; j++) if (s[j] < '0' || s[j] > '9') ok = 0;
        if (ok) { v->is_int = 1; v->i = strtoll(s, NULL, 10); }
    }
}

static size_t kv_field(const void *ev, const char *name, size_t len, sp_value *vals, size_t max)
{
    const sp_kv_event *k = ev;
    size_t n = 0;
    for (size_t i = 0; i < k->n; i++) {
        const char *nm = k->kv[2 * i];
        if (strlen(nm) != len || memcmp(nm, name, len)) continue;
        if (n < max) kv_value(k, i, &vals[n]);
        n++;
    }
    return n;
}

static void kv_each(const void *ev, sp_field_fn fn, void *user)
{
    const sp_kv_event *k = ev;
    for (size_t i = 0; i < k->n; i++) {
        sp_value v;
        kv_value(k, i, &v);
        if (fn(user, k->kv[2 * i], strlen(k->kv[2 * i]), &v)) return;
    }
}

static int64_t kv_time(const void *ev) { return ((const sp_kv_event *)ev)->time_ms; }

void sp_event_from_kv(sp_event *out, const sp_kv_event *kv)
{
    memset(out, 0, sizeof *out);
    out->field = kv_field;
    out->each = kv_each;
    out->time_unix_ms = kv_time;
    out->ev = kv;
}

/* ------------------------------------------------------------ time */

static int dig(const char *s, size_t n, size_t at, size_t cnt, int *out)
{
    if (at + cnt > n) return -1;
    int v = 0;
    for (size_t i = 0; i < cnt; i++) {
        char c = s[at + i];
        if (c < '0' || c > '9') return -1;
        v = v * 10 + (c - '0');
    }
    *out = v;
    return 0;
}

int sp_parse_iso_ms(const char *s, size_t n, int64_t *out)
{
    int y, mo, d, h = 0, mi = 0, se = 0;
    if (dig(s, n, 0, 4, &y) || n < 10 || s[4] != '-' || dig(s, n, 5, 2, &mo) || s[7] != '-' || dig(s, n, 8, 2, &d))
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31) return -1;
    size_t p = 10;
    int64_t ms = 0;
    if (p < n && (s[p] == 'T' || s[p] == ' ' || s[p] == 't')) {
        if (dig(s, n, p + 1, 2, &h) || p + 3 >= n || s[p + 3] != ':' || dig(s, n, p + 4, 2, &mi)) return -1;
        p += 6;
        if (p < n && s[p] == ':') {
            if (dig(s, n, p + 1, 2, &se)) return -1;
            p += 3;
            if (p < n && (s[p] == '.' || s[p] == ',')) {
                p++;
                int digits = 0;
                while (p < n && s[p] >= '0' && s[p] <= '9') {
                    if (digits < 3) ms = ms * 10 + (s[p] - '0');
                    digits++;
                    p++;
                }
                while (digits < 3) { ms *= 10; digits++; }
            }
        }
    }
    int64_t off = 0;
    if (p < n && (s[p] == '+' || s[p] == '-')) {
        int oh, om = 0;
        if (dig(s, n, p + 1, 2, &oh)) return -1;
        size_t q = p + 3;
        if (q < n && s[q] == ':') q++;
        if (q < n) dig(s, n, q, 2, &om);
        off = (int64_t)(oh * 60 + om) * 60000;
        if (s[p] == '-') off = -off;
    }
    *out = (sp_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se) * 1000 + ms - off;
    return 0;
}
