/*
 * logs_web.c — web server access logs as Sigma `category: webserver` events.
 *
 * NCSA common / combined (Apache, nginx, Jetty, Zimbra):
 *   [vhost[:port] ]host ident user [dd/Mon/yyyy:HH:MM:SS +zzzz] "request" status bytes
 *   ["referer" "user-agent"] [trailing...]
 * Trailing fields some servers append are recognised by shape: a bare
 * integer is `time-taken` (Jetty/Zimbra logLatency: ms; Apache %D: µs — as
 * written), an address list (quoted or bare) is `X-Forwarded-For`, anything
 * else is kept as `extra`.
 *
 * IIS W3C extended: "#Fields:" names the space-separated columns (it may
 * change mid-file); "-" is empty; IIS writes spaces in cs(User-Agent) as "+",
 * turned back into spaces here (rules look for "Nmap Scripting Engine").
 */
#include <string.h>

#include "logs/logs.h"
#include "base/civil.h"
#include "base/limits.h"

/* date / time fields (UTC) from the event time */
static int add_date_time(sp_logevent *ev, sp_arena *a)
{
    char *b = sp_arena_alloc(a, 32);
    if (!b) return -1;
    lg_fmt_date(ev->time_ms, b);
    lg_fmt_time(ev->time_ms, b + 16);
    return lg_adds(ev, a, "date", b, 10) || lg_adds(ev, a, "time", b + 16, 8);
}

/* "dd/Mon/yyyy:HH:MM:SS +zzzz" (zone optional) -> UTC ms */
static int clf_time(const char *s, size_t n, int64_t *out)
{
    int d, y, H, M, S, mo;
    if (n < 20 || lg_digits(s, n, 0, 2, &d) || s[2] != '/' || !(mo = lg_month(s + 3)) || s[6] != '/' ||
        lg_digits(s, n, 7, 4, &y) || s[11] != ':' || lg_digits(s, n, 12, 2, &H) || s[14] != ':' ||
        lg_digits(s, n, 15, 2, &M) || s[17] != ':' || lg_digits(s, n, 18, 2, &S))
        return -1;
    if (d < 1 || d > 31 || H > 23 || M > 59 || S > 60) return -1;
    size_t p = 20;
    int64_t ms = 0;
    if (p < n && s[p] == '.') {
        int k = 0;
        for (p++; p < n && s[p] >= '0' && s[p] <= '9'; p++, k++)
            if (k < 3) ms = ms * 10 + (s[p] - '0');
        for (; k < 3; k++) ms *= 10;
    }
    int64_t off = 0;
    while (p < n && s[p] == ' ') p++;
    if (p < n && (s[p] == '+' || s[p] == '-')) {
        int oh, om;
        if (lg_digits(s, n, p + 1, 2, &oh) || lg_digits(s, n, p + 3, 2, &om)) return -1;
        off = (int64_t)(oh * 60 + om) * 60000;
        if (s[p] == '-') off = -off;
    }
    *out = (sp_days_from_civil(y, mo, d) * 86400 + H * 3600 + M * 60 + S) * 1000 + ms - off;
    return 0;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* End of a quoted field starting after its opening quote at `s`: the first
 * unescaped quote followed by the end of the line or by a space and what the
 * next field may start with ('"', '-', a digit; for the request: a digit or
 * '-').  Quotes that do not fit are taken as part of the value (servers that
 * do not escape them).  Falls back to the first unescaped quote. */
static long qend(const char *l, size_t n, size_t s, int request)
{
    long first = -1;
    for (size_t i = s; i < n; i++) {
        if (l[i] == '\\' && i + 1 < n) { i++; continue; }
        if (l[i] != '"') continue;
        if (first < 0) first = (long)i;
        if (i + 1 == n) return (long)i;
        if (l[i + 1] != ' ') continue;
        size_t j = i + 1;
        while (j < n && l[j] == ' ') j++;
        if (j == n) return (long)i;
        char c = l[j];
        if (request ? (is_digit(c) || c == '-') : (c == '"' || c == '-' || is_digit(c))) return (long)i;
    }
    return first;
}

static int ip_list(const char *s, size_t n)
{
    if (!n) return 0;
    int dots = 0, colons = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '.') dots++;
        else if (c == ':') colons++;
        else if (!(is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ',' || c == ' ')) return 0;
    }
    return dots >= 3 || colons >= 2;
}

/* request line "METHOD target VERSION" */
static int add_request(sp_logevent *ev, sp_arena *a, const char *r, size_t n)
{
    if (n == 1 && r[0] == '-') return 0;
    const char *sp1 = memchr(r, ' ', n);
    if (!sp1) return lg_adds(ev, a, "request", r, n);
    const char *sp2 = r + n;
    while (sp2 > sp1 && sp2[-1] != ' ') sp2--;
    const char *tgt = sp1 + 1, *tend;
    const char *ver = NULL;
    size_t verl = 0;
    if (sp2 - 1 > sp1 && (size_t)(r + n - sp2) >= 5 && !memcmp(sp2, "HTTP/", 5)) {
        tend = sp2 - 1;
        ver = sp2;
        verl = (size_t)(r + n - sp2);
    } else {
        tend = r + n;
    }
    while (tend > tgt && tend[-1] == ' ') tend--;
    if (lg_adds(ev, a, "cs-method", r, (size_t)(sp1 - r))) return -1;
    size_t tl = (size_t)(tend - tgt);
    const char *q = memchr(tgt, '?', tl);
    if (lg_adds(ev, a, "cs-uri-stem", tgt, q ? (size_t)(q - tgt) : tl)) return -1;
    if (q && lg_adds(ev, a, "cs-uri-query", q + 1, (size_t)(tend - q - 1))) return -1;
    if (lg_adds(ev, a, "cs-uri", tgt, tl)) return -1;
    if (ver && lg_adds(ev, a, "cs-version", ver, verl)) return -1;
    return 0;
}

static int add_dash(sp_logevent *ev, sp_arena *a, const char *name, const char *v, size_t n)
{
    return lg_add(ev, a, name, strlen(name), v, n, n == 1 && v[0] == '-');
}

int lg_web_line(sp_logstate *st, const char *l, size_t n, sp_arena *a, sp_logevent *ev, char *err, size_t cap)
{
    (void)st;
    ev->category = "webserver";
    const char *tok[5];
    size_t tl[5], nt = 0, p = 0;
    while (p < n && l[p] == ' ') p++;
    while (p < n && l[p] != '[') {
        if (nt == 5) return lg_err(err, cap, "offset %zu: expected '[' before the time stamp", p);
        size_t s = p;
        while (p < n && l[p] != ' ') p++;
        tok[nt] = l + s;
        tl[nt++] = p - s;
        while (p < n && l[p] == ' ') p++;
    }
    if (p >= n) return lg_err(err, cap, "offset %zu: no [time] field", p);
    if (nt != 3 && nt != 4) return lg_err(err, cap, "offset 0: %zu fields before [time], expected 3 (host ident user) or 4 (vhost first)", nt);
    const char *te = memchr(l + p, ']', n - p);
    if (!te) return lg_err(err, cap, "offset %zu: unterminated [time]", p);
    int64_t ms;
    if (clf_time(l + p + 1, (size_t)(te - l - p - 1), &ms))
        return lg_err(err, cap, "offset %zu: bad time stamp, expected dd/Mon/yyyy:HH:MM:SS +zzzz", p + 1);
    ev->time_ms = ms;
    p = (size_t)(te - l) + 1;
    while (p < n && l[p] == ' ') p++;
    if (p >= n || l[p] != '"') return lg_err(err, cap, "offset %zu: expected the quoted request", p);
    long qe = qend(l, n, p + 1, 1);
    if (qe < 0) return lg_err(err, cap, "offset %zu: unterminated quoted request", p);
    const char *req = l + p + 1;
    size_t reql = (size_t)qe - p - 1;
    p = (size_t)qe + 1;
    /* status, bytes */
    const char *f2[2];
    size_t f2l[2];
    for (int k = 0; k < 2; k++) {
        while (p < n && l[p] == ' ') p++;
        size_t s = p;
        while (p < n && l[p] != ' ') p++;
        f2[k] = l + s;
        f2l[k] = p - s;
        int ok = f2l[k] > 0;
        for (size_t i = 0; i < f2l[k] && ok; i++) ok = is_digit(f2[k][i]) || (f2l[k] == 1 && f2[k][0] == '-');
        if (!ok) return lg_err(err, cap, "offset %zu: %s is not a number", s, k ? "response size" : "status");
    }
    const char *h = tok[nt - 3], *u = tok[nt - 1];
    size_t hl = tl[nt - 3], ul = tl[nt - 1];
    if (add_date_time(ev, a) || lg_adds(ev, a, "c-ip", h, hl)) return -1;
    if (nt == 4) {
        const char *c = memrchr(tok[0], ':', tl[0]);
        /* "host:port" but not a bare IPv6 address */
        if (c && c > tok[0] && !memchr(tok[0], ':', (size_t)(c - tok[0]))) {
            if (lg_adds(ev, a, "cs-host", tok[0], (size_t)(c - tok[0])) ||
                lg_adds(ev, a, "s-port", c + 1, tl[0] - (size_t)(c - tok[0]) - 1)) return -1;
        } else if (lg_adds(ev, a, "cs-host", tok[0], tl[0])) return -1;
    }
    if (add_dash(ev, a, "cs-username", u, ul) || add_request(ev, a, req, reql) ||
        add_dash(ev, a, "sc-status", f2[0], f2l[0]) || add_dash(ev, a, "sc-bytes", f2[1], f2l[1]))
        return -1;
    /* referer, user agent, trailing fields */
    int nq = 0;
    while (p < n) {
        while (p < n && l[p] == ' ') p++;
        if (p >= n) break;
        if (l[p] == '"') {
            long e = qend(l, n, p + 1, 0);
            if (e < 0) return lg_err(err, cap, "offset %zu: unterminated quoted field", p);
            const char *v = l + p + 1;
            size_t vl = (size_t)e - p - 1;
            if (nq == 0) { if (add_dash(ev, a, "cs-referer", v, vl)) return -1; }
            else if (nq == 1) { if (add_dash(ev, a, "cs-user-agent", v, vl)) return -1; }
            else if (ip_list(v, vl)) { if (lg_adds(ev, a, "X-Forwarded-For", v, vl)) return -1; }
            else if (add_dash(ev, a, "extra", v, vl)) return -1;
            nq++;
            p = (size_t)e + 1;
            continue;
        }
        size_t s = p;
        while (p < n && l[p] != ' ') p++;
        const char *v = l + s;
        size_t vl = p - s;
        int num = 1;
        for (size_t i = 0; i < vl && num; i++) num = is_digit(v[i]) || v[i] == '.';
        if (ip_list(v, vl)) { if (lg_adds(ev, a, "X-Forwarded-For", v, vl)) return -1; }
        else if (num && !sp_logevent_field(ev, "time-taken", 10, NULL, 0)) { if (lg_adds(ev, a, "time-taken", v, vl)) return -1; }
        else if (add_dash(ev, a, "extra", v, vl)) return -1;
    }
    return 1;
}

int lg_web_probe(const char *l, size_t n)
{
    sp_arena a;
    sp_arena_init(&a, 4096);
    sp_logstate st;
    memset(&st, 0, sizeof st);
    st.fmt = SP_LOG_WEB_COMBINED;
    st.source = (char *)"";
    sp_logevent ev;
    lg_begin(&ev, &st, l, n);
    int r = lg_web_line(&st, l, n, &a, &ev, NULL, 0);
    if (r == 1) r = sp_logevent_field(&ev, "cs-referer", 10, NULL, 0) ? 2 : 1;
    else r = 0;
    sp_arena_fini(&a);
    return r;
}

/* ------------------------------------------------------------ IIS W3C */

/* rename a W3C column to Sigma's taxonomy, in place (never longer) */
static void iis_name(sp_logstate *st, uint32_t i)
{
    char *c = (char *)st->col[i];
    size_t n = st->col_len[i];
    static const struct { const char *w3c, *sigma; } map[] = {
        {"cs(User-Agent)", "cs-user-agent"}, {"cs(Referer)", "cs-referer"}, {"cs(Cookie)", "cs-cookie"},
        {"cs(Host)", "cs-host"}, {"cs(X-Forwarded-For)", "X-Forwarded-For"}, {"x-forwarded-for", "X-Forwarded-For"},
        {"X-Forwarded-For", "X-Forwarded-For"},
    };
    for (size_t k = 0; k < sizeof map / sizeof *map; k++)
        if (strlen(map[k].w3c) == n && !strncasecmp(c, map[k].w3c, n)) {
            st->col[i] = map[k].sigma;
            st->col_len[i] = (uint32_t)strlen(map[k].sigma);
            if (!strcmp(map[k].sigma, "cs-user-agent")) st->col_kind[i] = LOGF_UA;
            return;
        }
    /* prefix(Header) -> prefix-header */
    char *o = memchr(c, '(', n);
    if (o && n >= 3 && c[n - 1] == ')') {
        size_t w = (size_t)(o - c);
        c[w++] = '-';
        for (size_t r = (size_t)(o - c) + 1; r < n - 1; r++) {
            char ch = c[r];
            c[w++] = (ch >= 'A' && ch <= 'Z') ? (char)(ch + 32) : ch;
        }
        c[w] = 0;
        st->col_len[i] = (uint32_t)w;
    }
}

static int iis_directive(sp_logstate *st, const char *l, size_t n, char *err, size_t cap)
{
    if (n >= 8 && !memcmp(l, "#Fields:", 8)) {
        size_t p = 8;
        while (p < n && l[p] == ' ') p++;
        size_t e = n;
        while (e > p && l[e - 1] == ' ') e--;
        if (lg_header_cols(st, l + p, e - p, ' '))
            return lg_err(err, cap, "#Fields: too many columns or too long (limits %u, %u bytes)", SP_LOG_MAX_FIELDS, SP_LOG_MAX_HEADER);
        for (uint32_t i = 0; i < st->ncol; i++) {
            iis_name(st, i);
            if (st->col_len[i] == 4 && !memcmp(st->col[i], "date", 4)) st->date_col = (int)i;
            if (st->col_len[i] == 4 && !memcmp(st->col[i], "time", 4)) st->time_col = (int)i;
        }
        return 0;
    }
    if (n >= 6 && !memcmp(l, "#Date:", 6)) {
        size_t p = 6;
        while (p < n && l[p] == ' ') p++;
        if (n - p >= 10) { memcpy(st->date, l + p, 10); st->date[10] = 0; }
    }
    return 0;
}

int lg_iis_line(sp_logstate *st, const char *l, size_t n, sp_arena *a, sp_logevent *ev, char *err, size_t cap)
{
    if (l[0] == '#') return iis_directive(st, l, n, err, cap);
    ev->category = "webserver";
    if (!st->ncol) return lg_err(err, cap, "offset 0: data before any #Fields: header");
    uint32_t col = 0;
    size_t p = 0;
    const char *date = st->date[0] ? st->date : NULL, *tim = NULL;
    size_t datel = date ? 10 : 0, timl = 0;
    const char *stem = NULL, *query = NULL;
    size_t steml = 0, queryl = 0;
    int has_uri = 0;
    while (p <= n) {
        size_t s = p;
        while (p < n && l[p] != ' ') p++;
        if (col >= st->ncol)
            return lg_err(err, cap, "offset %zu: more values than the %u #Fields columns", s, st->ncol);
        const char *v = l + s;
        size_t vl = p - s;
        int null = vl == 1 && v[0] == '-';
        if (!null && st->col_kind[col] == LOGF_UA && memchr(v, '+', vl)) {
            char *c = sp_arena_alloc(a, vl ? vl : 1);
            if (!c) return -1;
            for (size_t i = 0; i < vl; i++) c[i] = v[i] == '+' ? ' ' : v[i];
            v = c;
        }
        if (lg_add(ev, a, st->col[col], st->col_len[col], v, vl, null)) return -1;
        if ((int)col == st->date_col && !null) date = v, datel = vl;
        if ((int)col == st->time_col && !null) tim = v, timl = vl;
        const char *cn = st->col[col];
        if (!null && st->col_len[col] == 11 && !memcmp(cn, "cs-uri-stem", 11)) stem = v, steml = vl;
        if (!null && st->col_len[col] == 12 && !memcmp(cn, "cs-uri-query", 12)) query = v, queryl = vl;
        if (st->col_len[col] == 6 && !memcmp(cn, "cs-uri", 6)) has_uri = 1;
        col++;
        if (p == n) break;
        p++;
    }
    if (col != st->ncol) return lg_err(err, cap, "%u values for %u #Fields columns", col, st->ncol);
    if (stem && !has_uri) {
        const char *u = stem;
        size_t ul = steml;
        if (query) {
            char *c = sp_arena_alloc(a, steml + queryl + 2);
            if (!c) return -1;
            memcpy(c, stem, steml);
            c[steml] = '?';
            memcpy(c + steml + 1, query, queryl);
            u = c;
            ul = steml + 1 + queryl;
        }
        if (lg_adds(ev, a, "cs-uri", u, ul)) return -1;
    }
    if (date && tim && datel == 10 && timl >= 8 && timl < 20) {
        char b[40];
        memcpy(b, date, 10);
        b[10] = 'T';
        memcpy(b + 11, tim, timl);
        b[11 + timl] = 'Z';
        int64_t ms;
        if (!sp_parse_iso_ms(b, 12 + timl, &ms)) ev->time_ms = ms;
    }
    return 1;
}
