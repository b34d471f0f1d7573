/*
 * logs_core.c — what every line format shares: format detection, the
 * per-file state, the event's field table, the matcher's view of an event
 * and its JSON rendering.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "logs/logs.h"
#include "base/civil.h"
#include "base/buf.h"
#include "base/limits.h"

static const char *const fmt_names[SP_LOG__COUNT] = {
    "none", "web_combined", "web_common", "web_iis_w3c", "zeek_tsv", "zeek_json", "linux_auth", "linux_audit",
};

const char *sp_logfmt_name(sp_logfmt f)
{
    return (unsigned)f < SP_LOG__COUNT ? fmt_names[f] : "none";
}

sp_logfmt sp_logfmt_from_name(const char *name)
{
    for (int i = 1; name && i < SP_LOG__COUNT; i++)
        if (!strcmp(name, fmt_names[i])) return (sp_logfmt)i;
    return SP_LOG_NONE;
}

/* ------------------------------------------------------------ helpers */

int lg_err(char *err, size_t cap, const char *fmt, ...)
{
    if (err && cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, cap, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static int64_t floordiv(int64_t a, int64_t b) { return a / b - ((a % b) != 0 && ((a < 0) != (b < 0))); }

size_t lg_fmt_date(int64_t ms, char *buf)
{
    int y, m, d;
    sp_civil_from_days(floordiv(ms, 86400000), &y, &m, &d);
    if (y < 0 || y > 9999) y = 0;
    unsigned v[3] = {(unsigned)y, (unsigned)m, (unsigned)d};
    buf[0] = (char)('0' + v[0] / 1000), buf[1] = (char)('0' + v[0] / 100 % 10);
    buf[2] = (char)('0' + v[0] / 10 % 10), buf[3] = (char)('0' + v[0] % 10);
    buf[4] = '-', buf[5] = (char)('0' + v[1] / 10), buf[6] = (char)('0' + v[1] % 10);
    buf[7] = '-', buf[8] = (char)('0' + v[2] / 10), buf[9] = (char)('0' + v[2] % 10);
    buf[10] = 0;
    return 10;
}

size_t lg_fmt_time(int64_t ms, char *buf)
{
    int64_t s = floordiv(ms, 1000) - floordiv(ms, 86400000) * 86400;
    unsigned h = (unsigned)(s / 3600), mi = (unsigned)(s / 60 % 60), se = (unsigned)(s % 60);
    buf[0] = (char)('0' + h / 10), buf[1] = (char)('0' + h % 10), buf[2] = ':';
    buf[3] = (char)('0' + mi / 10), buf[4] = (char)('0' + mi % 10), buf[5] = ':';
    buf[6] = (char)('0' + se / 10), buf[7] = (char)('0' + se % 10), buf[8] = 0;
    return 8;
}

int lg_month(const char *s)
{
    static const char mon[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    for (int i = 0; i < 12; i++)
        if (s[0] == mon[3 * i] && s[1] == mon[3 * i + 1] && s[2] == mon[3 * i + 2]) return i + 1;
    return 0;
}

int lg_digits(const char *s, size_t n, size_t at, size_t k, int *out)
{
    if (at + k > n) return -1;
    int v = 0;
    for (size_t i = 0; i < k; i++) {
        unsigned char c = (unsigned char)s[at + i];
        if (c < '0' || c > '9') return -1;
        v = v * 10 + (c - '0');
    }
    *out = v;
    return 0;
}

/* ------------------------------------------------------------ fields */

int lg_begin(sp_logevent *ev, sp_logstate *st, const char *line, size_t len)
{
    memset(ev, 0, sizeof *ev);
    ev->fmt = st->fmt;
    ev->time_ms = INT64_MIN;
    ev->source = st->source;
    ev->line = line;
    ev->line_len = len;
    return 0;
}

int lg_add(sp_logevent *ev, sp_arena *a, const char *name, size_t nl, const char *v, size_t vl, int is_null)
{
    if (ev->n == ev->cap) {
        if (ev->cap >= SP_LOG_MAX_FIELDS) return -1;
        uint32_t nc = ev->cap ? ev->cap * 2 : 32;
        if (nc > SP_LOG_MAX_FIELDS) nc = SP_LOG_MAX_FIELDS;
        sp_logfield *nf = sp_arena_alloc(a, nc * sizeof *nf);
        if (!nf) return -1;
        if (ev->n) memcpy(nf, ev->f, ev->n * sizeof *nf);
        ev->f = nf;
        ev->cap = nc;
    }
    sp_logfield *f = &ev->f[ev->n++];
    f->name = name;
    f->name_len = (uint32_t)nl;
    f->val = is_null ? "" : v;
    f->val_len = is_null ? 0 : (uint32_t)vl;
    f->is_null = (uint8_t)(is_null != 0);
    return 0;
}

int lg_adds(sp_logevent *ev, sp_arena *a, const char *name, const char *v, size_t vl)
{
    return lg_add(ev, a, name, strlen(name), v, vl, 0);
}

/* Split header names `names` (len bytes) at `sep` into the state's columns. */
int lg_header_cols(sp_logstate *st, const char *names, size_t len, char sep)
{
    free(st->hdr);
    free(st->col);
    free(st->col_len);
    free(st->col_kind);
    st->hdr = NULL, st->col = NULL, st->col_len = NULL, st->col_kind = NULL, st->ncol = 0;
    st->ts_col = st->date_col = st->time_col = -1;
    if (len > SP_LOG_MAX_HEADER) return -1;
    uint32_t n = 1;
    for (size_t i = 0; i < len; i++) n += names[i] == sep;
    if (n > SP_LOG_MAX_FIELDS) return -1;
    st->hdr = malloc(len + 1);
    st->col = calloc(n, sizeof *st->col);
    st->col_len = calloc(n, sizeof *st->col_len);
    st->col_kind = calloc(n, 1);
    if (!st->hdr || !st->col || !st->col_len || !st->col_kind) return -1;
    memcpy(st->hdr, names, len);
    st->hdr[len] = 0;
    size_t b = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && names[i] != sep) continue;
        st->hdr[i] = 0;
        st->col[st->ncol] = st->hdr + b;
        st->col_len[st->ncol] = (uint32_t)(i - b);
        st->ncol++;
        b = i + 1;
    }
    return 0;
}

/* ------------------------------------------------------------ state */

sp_logstate *sp_logstate_new(sp_logfmt f, const char *source_name)
{
    sp_logstate *st = calloc(1, sizeof *st);
    if (!st) return NULL;
    st->fmt = f;
    st->source = strdup(source_name ? source_name : "");
    if (!st->source) { free(st); return NULL; }
    st->ref_ms = (int64_t)time(NULL) * 1000;
    st->ts_col = st->date_col = st->time_col = -1;
    st->sep = '\t';
    st->set_sep = ',';
    strcpy(st->empty, "(empty)");
    strcpy(st->unset, "-");
    /* syslog: "auth" unless the file is named like a general syslog */
    const char *base = strrchr(st->source, '/');
    base = base ? base + 1 : st->source;
    st->def_service = (!strncmp(base, "syslog", 6) || !strncmp(base, "messages", 8) || !strncmp(base, "kern", 4) ||
                       !strncmp(base, "daemon", 6)) ? "syslog" : "auth";
    if (f == SP_LOG_ZEEK_TSV || f == SP_LOG_ZEEK_JSON) lg_zeek_path_from_name(st);
    return st;
}

void sp_logstate_free(sp_logstate *st)
{
    if (!st) return;
    free(st->source);
    free(st->hdr);
    free(st->col);
    free(st->col_len);
    free(st->col_kind);
    free(st);
}

void sp_logstate_set_ref_time(sp_logstate *st, int64_t unix_ms) { if (st) st->ref_ms = unix_ms; }
void sp_logstate_set_tz_offset(sp_logstate *st, int minutes) { if (st) st->tz_min = minutes; }
sp_logfmt sp_logstate_format(const sp_logstate *st) { return st ? st->fmt : SP_LOG_NONE; }

/* ------------------------------------------------------------ detection */

static const char *skip_ws(const char *p, const char *e)
{
    while (p < e && (*p == ' ' || *p == '\t')) p++;
    return p;
}

int sp_log_is_zeek_json(const char *line, size_t n)
{
    const char *p = skip_ws(line, line + n), *e = line + n;
    if (p == e || *p != '{') return 0;
    size_t len = (size_t)(e - p);
    if (!memmem(p, len, "\"ts\":", 5) && !memmem(p, len, "\"ts\" :", 6)) return 0;
    return memmem(p, len, "\"uid\":", 6) || memmem(p, len, "\"id.orig_h\":", 12) ||
           memmem(p, len, "\"id\":{\"orig_h\"", 14) || memmem(p, len, "\"fuid\":", 7);
}

static int starts(const char *p, size_t n, const char *s)
{
    size_t l = strlen(s);
    return n >= l && !memcmp(p, s, l);
}

sp_logfmt sp_log_detect(const char *head, size_t n)
{
    const char *p = head, *e = head + n;
    if (n >= 3 && (unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbb && (unsigned char)p[2] == 0xbf) p += 3;
    for (int lines = 0; p < e && lines < 50; lines++) {
        const char *nl = memchr(p, '\n', (size_t)(e - p));
        const char *le = nl ? nl : e;
        size_t len = (size_t)(le - p);
        while (len && (p[len - 1] == '\r')) len--;
        const char *q = skip_ws(p, p + len);
        size_t ql = (size_t)(p + len - q);
        if (ql) {
            if (starts(q, ql, "#separator") || starts(q, ql, "#fields\t") || starts(q, ql, "#path\t") ||
                starts(q, ql, "#set_separator"))
                return SP_LOG_ZEEK_TSV;
            if (starts(q, ql, "#Software:") || starts(q, ql, "#Version:") || starts(q, ql, "#Fields:") ||
                starts(q, ql, "#Date:") || starts(q, ql, "#Remark:"))
                return SP_LOG_WEB_IIS_W3C;
            if (*q == '{') return sp_log_is_zeek_json(q, ql) ? SP_LOG_ZEEK_JSON : SP_LOG_NONE;
            if (*q != '#') {
                /* the last line of a truncated head may be cut: judge it only if complete or alone */
                if (!nl && lines > 0) break;
                if (lg_audit_probe(q, ql)) return SP_LOG_LINUX_AUDIT;
                int w = lg_web_probe(q, ql);
                if (w) return w == 2 ? SP_LOG_WEB_COMBINED : SP_LOG_WEB_COMMON;
                if (lg_syslog_probe(q, ql)) return SP_LOG_LINUX_AUTH;
                return SP_LOG_NONE;
            }
        }
        if (!nl) break;
        p = nl + 1;
    }
    return SP_LOG_NONE;
}

/* ------------------------------------------------------------ parse */

int sp_log_parse(sp_logstate *st, const char *line, size_t len, sp_arena *a,
                 sp_logevent *ev, char *err, size_t errcap)
{
    if (err && errcap) err[0] = 0;
    if (!st || !ev || !a || (!line && len)) return lg_err(err, errcap, "bad arguments");
    lg_begin(ev, st, line, len);
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
    ev->line_len = len;
    if (len > SP_LOG_MAX_LINE) return lg_err(err, errcap, "line of %zu bytes is longer than the limit (%u)", len, SP_LOG_MAX_LINE);
    size_t k = 0;
    while (k < len && (line[k] == ' ' || line[k] == '\t')) k++;
    if (k == len) return 0;
    int r;
    switch (st->fmt) {
    case SP_LOG_WEB_COMBINED:
    case SP_LOG_WEB_COMMON: r = lg_web_line(st, line, len, a, ev, err, errcap); break;
    case SP_LOG_WEB_IIS_W3C: r = lg_iis_line(st, line, len, a, ev, err, errcap); break;
    case SP_LOG_ZEEK_TSV: r = lg_zeek_tsv_line(st, line, len, a, ev, err, errcap); break;
    case SP_LOG_ZEEK_JSON: r = lg_zeek_json_line(st, line, len, a, ev, err, errcap); break;
    case SP_LOG_LINUX_AUTH: r = lg_syslog_line(st, line, len, a, ev, err, errcap); break;
    case SP_LOG_LINUX_AUDIT: r = lg_audit_line(st, line, len, a, ev, err, errcap); break;
    default: return lg_err(err, errcap, "no line format");
    }
    if (r < 0 && err && errcap && !err[0]) lg_err(err, errcap, "out of memory or too many fields (limit %u)", SP_LOG_MAX_FIELDS);
    return r;
}

/* ------------------------------------------------------------ matcher view */

static void to_value(const sp_logfield *f, sp_value *v)
{
    memset(v, 0, sizeof *v);
    v->str = f->val;
    v->len = f->val_len;
    v->is_null = f->is_null;
    /* plain decimal integers are also typed (ports, status codes, ids) */
    size_t n = f->val_len;
    if (n && n < 19) {
        const char *s = f->val;
        size_t j = s[0] == '-' ? 1 : 0;
        if (j == n || (s[j] == '0' && n - j > 1)) return;
        int64_t x = 0;
        for (; j < n; j++) {
            if (s[j] < '0' || s[j] > '9') return;
            x = x * 10 + (s[j] - '0');
        }
        v->is_int = 1;
        v->i = s[0] == '-' ? -x : x;
    }
}

size_t sp_logevent_field(const sp_logevent *ev, const char *name, size_t len, sp_value *vals, size_t max)
{
    size_t n = 0;
    for (uint32_t i = 0; i < ev->n; i++) {
        const sp_logfield *f = &ev->f[i];
        if (f->name_len != len || memcmp(f->name, name, len)) continue;
        if (n < max) to_value(f, &vals[n]);
        n++;
    }
    return n;
}

static size_t l_field(const void *e, const char *name, size_t len, sp_value *vals, size_t max)
{
    return sp_logevent_field(e, name, len, vals, max);
}

static void l_each(const void *e, sp_field_fn fn, void *user)
{
    const sp_logevent *ev = e;
    for (uint32_t i = 0; i < ev->n; i++) {
        sp_value v;
        to_value(&ev->f[i], &v);
        if (fn(user, ev->f[i].name, ev->f[i].name_len, &v)) return;
    }
}

static int64_t l_time(const void *e) { return ((const sp_logevent *)e)->time_ms; }

void sp_event_from_log(sp_event *out, const sp_logevent *ev)
{
    memset(out, 0, sizeof *out);
    out->field = l_field;
    out->each = l_each;
    out->time_unix_ms = l_time;
    out->ev = ev;
    out->product = ev->product;
    out->category = ev->category;
    out->service = ev->service;
}

/* ------------------------------------------------------------ JSON */

static void jstr(sp_buf *b, const char *s, size_t n)
{
    sp_buf_putc(b, '"');
    sp_json_escape(b, s, n);
    sp_buf_putc(b, '"');
}

static void jval(sp_buf *b, const sp_logfield *f)
{
    if (f->is_null) sp_buf_puts(b, "null");
    else jstr(b, f->val, f->val_len);
}

void sp_logevent_json(const sp_logevent *ev, sp_buf *out)
{
    sp_buf_putc(out, '{');
    int first = 1;
#define KEY(k) do { if (!first) sp_buf_putc(out, ','); first = 0; sp_buf_puts(out, "\"" k "\":"); } while (0)
    if (ev->time_ms != INT64_MIN) {
        char d[16], t[16];
        lg_fmt_date(ev->time_ms, d);
        lg_fmt_time(ev->time_ms, t);
        int64_t ms = ev->time_ms - floordiv(ev->time_ms, 1000) * 1000;
        KEY("_time");
        sp_buf_printf(out, "\"%sT%s.%03dZ\"", d, t, (int)ms);
    }
    KEY("_format");
    jstr(out, sp_logfmt_name(ev->fmt), strlen(sp_logfmt_name(ev->fmt)));
    if (ev->product) { KEY("_product"); jstr(out, ev->product, strlen(ev->product)); }
    if (ev->category) { KEY("_category"); jstr(out, ev->category, strlen(ev->category)); }
    if (ev->service) { KEY("_service"); jstr(out, ev->service, strlen(ev->service)); }
    if (ev->source && *ev->source) { KEY("_source"); jstr(out, ev->source, strlen(ev->source)); }
#undef KEY
    for (uint32_t i = 0; i < ev->n; i++) {
        const sp_logfield *f = &ev->f[i];
        /* a name seen before was written with it */
        int seen = 0;
        for (uint32_t j = 0; j < i && !seen; j++)
            seen = ev->f[j].name_len == f->name_len && !memcmp(ev->f[j].name, f->name, f->name_len);
        if (seen) continue;
        uint32_t more = 0;
        for (uint32_t j = i + 1; j < ev->n; j++)
            more += ev->f[j].name_len == f->name_len && !memcmp(ev->f[j].name, f->name, f->name_len);
        if (!first) sp_buf_putc(out, ',');
        first = 0;
        jstr(out, f->name, f->name_len);
        sp_buf_putc(out, ':');
        if (!more) { jval(out, f); continue; }
        sp_buf_putc(out, '[');
        jval(out, f);
        for (uint32_t j = i + 1; j < ev->n; j++)
            if (ev->f[j].name_len == f->name_len && !memcmp(ev->f[j].name, f->name, f->name_len)) {
                sp_buf_putc(out, ',');
                jval(out, &ev->f[j]);
            }
        sp_buf_putc(out, ']');
    }
    sp_buf_putc(out, '}');
}
