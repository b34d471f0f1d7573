/*
 * sigma_value.c — one detection entry (`Field|mod|mod: value(s)`) -> sg_item.
 *
 * A string value is first parsed into symbols (bytes 0..255 plus the
 * specials STAR, ONE and DASH) honouring Sigma's escaping: `\*` `\?` `\\`
 * give the plain character, a backslash before anything else is itself.
 * The modifiers then apply in the order written:
 *
 *   expand          %name% placeholders -> the values of the placeholder config
 *                   (textual, before parsing: `\%` is a plain percent)
 *   windash         a `-`, `/`, en dash, em dash or horizontal bar that starts
 *                   a flag (non-word before it, word character after) becomes
 *                   DASH, which matches any of the five at match time (no
 *                   5^n expansion)
 *   utf16le/wide, utf16be, utf16 (BOM FF FE + LE)
 *   base64          encode (values with wildcards are rejected)
 *   base64offset    three encodings for the value starting at byte offset
 *                   0, 1, 2 of a base64 stream, cut to the stable middle
 *   contains / startswith / endswith   add STAR around / after / before
 *
 * and type modifiers give the value its kind: re (+ i, m, s), cidr,
 * lt/lte/gt/gte, exists, fieldref, minute/hour/day/week/month/year (compare
 * a part of a timestamp field), plus the flags all, cased, neq.
 *
 * The alternatives one value expands into (expand, base64offset) share a
 * group: the item holds when, for `all`, every group has a matching
 * alternative, else when any alternative matches.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigma/sigma.h"

enum { SY_STAR = 256, SY_ONE = 257, SY_DASH = 258 };

typedef struct sstr { uint16_t *s; uint32_t n; } sstr;

enum {
    M_CONTAINS = 0, M_STARTSWITH, M_ENDSWITH, M_ALL, M_EXISTS, M_CASED, M_NEQ,
    M_RE, M_RE_I, M_RE_M, M_RE_S, M_BASE64, M_BASE64OFFSET, M_UTF16LE, M_UTF16BE,
    M_UTF16, M_WIDE, M_WINDASH, M_CIDR, M_LT, M_LTE, M_GT, M_GTE, M_FIELDREF,
    M_EXPAND, M_MINUTE, M_HOUR, M_DAY, M_WEEK, M_MONTH, M_YEAR, M__N
};
static const char *const mod_names[M__N] = {
    "contains", "startswith", "endswith", "all", "exists", "cased", "neq",
    "re", "i", "m", "s", "base64", "base64offset", "utf16le", "utf16be",
    "utf16", "wide", "windash", "cidr", "lt", "lte", "gt", "gte", "fieldref",
    "expand", "minute", "hour", "day", "week", "month", "year"
};

#define MAX_MODS 16

static int fail(sg_cctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(sg_cctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, c->errcap, fmt, ap);
    va_end(ap);
    return -1;
}

/* ------------------------------------------------------------ symbols */

typedef struct alts { sstr *a; uint32_t n, cap; size_t bytes; } alts;

static int alts_push(sg_cctx *c, alts *A, uint16_t *s, uint32_t n)
{
    if (A->n >= SP_SIGMA_MAX_EXPAND) return fail(c, "value expands into more than %d alternatives", SP_SIGMA_MAX_EXPAND);
    A->bytes += n;
    if (A->bytes > (size_t)SP_SIGMA_MAX_VALUE_LEN * 64) return fail(c, "value expansions exceed %d bytes", SP_SIGMA_MAX_VALUE_LEN * 64);
    if (A->n == A->cap) {
        uint32_t nc = A->cap ? A->cap * 2 : 4;
        sstr *na = sp_arena_alloc(&c->rs->tmp, nc * sizeof *na);
        if (!na) return fail(c, "out of memory");
        if (A->n) memcpy(na, A->a, A->n * sizeof *na);
        A->a = na;
        A->cap = nc;
    }
    A->a[A->n].s = s;
    A->a[A->n].n = n;
    A->n++;
    return 0;
}

static uint16_t *symalloc(sg_cctx *c, size_t n)
{
    return sp_arena_alloc(&c->rs->tmp, (n ? n : 1) * sizeof(uint16_t));
}

/* Sigma string text -> symbols */
static int parse_sigma_string(sg_cctx *c, const char *s, size_t n, alts *A)
{
    if (n > SP_SIGMA_MAX_VALUE_LEN) return fail(c, "value longer than %d bytes", SP_SIGMA_MAX_VALUE_LEN);
    uint16_t *o = symalloc(c, n);
    if (!o) return fail(c, "out of memory");
    uint32_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '\\' && i + 1 < n && (s[i + 1] == '*' || s[i + 1] == '?' || s[i + 1] == '\\')) {
            o[k++] = (unsigned char)s[++i];
        } else if (ch == '*') o[k++] = SY_STAR;
        else if (ch == '?') o[k++] = SY_ONE;
        else o[k++] = ch;
    }
    return alts_push(c, A, o, k);
}

static int has_special(const sstr *x)
{
    for (uint32_t i = 0; i < x->n; i++) if (x->s[i] > 255) return 1;
    return 0;
}

static int is_word_sym(const sstr *x, uint32_t i)
{
    if (i >= x->n) return 0;
    uint16_t ch = x->s[i];
    if (ch > 255) return 0;
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' || ch >= 0x80;
}

/* length of a dash at i (1 or 3 symbols), 0 if none */
static uint32_t dash_at(const sstr *x, uint32_t i)
{
    if (x->s[i] == '-' || x->s[i] == '/') return 1;
    if (i + 2 < x->n && x->s[i] == 0xE2 && x->s[i + 1] == 0x80 &&
        (x->s[i + 2] == 0x93 || x->s[i + 2] == 0x94 || x->s[i + 2] == 0x95)) return 3;
    return 0;
}

static int do_windash(sg_cctx *c, alts *A)
{
    for (uint32_t a = 0; a < A->n; a++) {
        sstr *x = &A->a[a];
        uint16_t *o = symalloc(c, x->n);
        if (!o) return fail(c, "out of memory");
        uint32_t k = 0;
        for (uint32_t i = 0; i < x->n;) {
            uint32_t dl = x->s[i] <= 255 ? dash_at(x, i) : 0;
            int prev_word = i > 0 && x->s[i - 1] <= 255 &&
                            ((x->s[i - 1] >= 'a' && x->s[i - 1] <= 'z') || (x->s[i - 1] >= 'A' && x->s[i - 1] <= 'Z') ||
                             (x->s[i - 1] >= '0' && x->s[i - 1] <= '9') || x->s[i - 1] == '_' ||
                             (x->s[i - 1] >= 0x80 && x->s[i - 1] <= 0xff));
            if (dl && !prev_word && is_word_sym(x, i + dl)) {
                o[k++] = SY_DASH;
                i += dl;
            } else o[k++] = x->s[i++];
        }
        x->s = o;
        x->n = k;
    }
    return 0;
}

/* UTF-8 symbols -> UTF-16 bytes; specials pass through */
static int do_utf16(sg_cctx *c, alts *A, int be, int bom)
{
    for (uint32_t a = 0; a < A->n; a++) {
        sstr *x = &A->a[a];
        uint16_t *o = symalloc(c, (size_t)x->n * 4 + 2);
        if (!o) return fail(c, "out of memory");
        uint32_t k = 0;
        if (bom) { o[k++] = be ? 0xFE : 0xFF; o[k++] = be ? 0xFF : 0xFE; }
        for (uint32_t i = 0; i < x->n;) {
            uint16_t ch = x->s[i];
            if (ch == SY_DASH) return fail(c, "'windash' before a UTF-16 modifier is not supported");
            if (ch > 255) { o[k++] = ch; i++; continue; }
            uint32_t cp = ch, need = 0;
            if (ch >= 0xF0 && ch < 0xF8) { cp = ch & 7; need = 3; }
            else if (ch >= 0xE0) { cp = ch & 15; need = 2; }
            else if (ch >= 0xC0) { cp = ch & 31; need = 1; }
            uint32_t j = 1;
            for (; j <= need && i + j < x->n && x->s[i + j] >= 0x80 && x->s[i + j] < 0xC0; j++)
                cp = (cp << 6) | (x->s[i + j] & 0x3F);
            if (j != need + 1) { cp = ch; j = 1; }   /* invalid: take the byte as Latin-1 */
            i += j;
            uint16_t u[2];
            int nu = 1;
            if (cp >= 0x10000) { cp -= 0x10000; u[0] = (uint16_t)(0xD800 | (cp >> 10)); u[1] = (uint16_t)(0xDC00 | (cp & 0x3FF)); nu = 2; }
            else u[0] = (uint16_t)cp;
            for (int q = 0; q < nu; q++) {
                if (be) { o[k++] = u[q] >> 8; o[k++] = u[q] & 0xFF; }
                else { o[k++] = u[q] & 0xFF; o[k++] = u[q] >> 8; }
            }
        }
        x->s = o;
        x->n = k;
    }
    return 0;
}

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* base64 of bytes -> symbols; returns count */
static uint32_t b64(const uint8_t *in, uint32_t n, uint16_t *o)
{
    uint32_t k = 0, i = 0;
    for (; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        o[k++] = (uint8_t)B64[v >> 18]; o[k++] = (uint8_t)B64[(v >> 12) & 63];
        o[k++] = (uint8_t)B64[(v >> 6) & 63]; o[k++] = (uint8_t)B64[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        o[k++] = (uint8_t)B64[v >> 18]; o[k++] = (uint8_t)B64[(v >> 12) & 63]; o[k++] = '='; o[k++] = '=';
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        o[k++] = (uint8_t)B64[v >> 18]; o[k++] = (uint8_t)B64[(v >> 12) & 63];
        o[k++] = (uint8_t)B64[(v >> 6) & 63]; o[k++] = '=';
    }
    return k;
}

static int do_base64(sg_cctx *c, alts *A, int offset)
{
    alts out = {0};
    for (uint32_t a = 0; a < A->n; a++) {
        sstr *x = &A->a[a];
        if (has_special(x)) return fail(c, "'%s' on a value with wildcards", offset ? "base64offset" : "base64");
        uint8_t *raw = sp_arena_alloc(&c->rs->tmp, x->n + 3);
        if (!raw) return fail(c, "out of memory");
        for (int shift = 0; shift < (offset ? 3 : 1); shift++) {
            /* the value preceded by `shift` filler bytes */
            for (int q = 0; q < shift; q++) raw[q] = ' ';
            for (uint32_t i = 0; i < x->n; i++) raw[shift + i] = (uint8_t)x->s[i];
            uint32_t rn = x->n + (uint32_t)shift;
            uint16_t *o = symalloc(c, (rn + 2) / 3 * 4 + 4);
            if (!o) return fail(c, "out of memory");
            uint32_t k = b64(raw, rn, o);
            if (offset) {
                /* drop the characters that depend on the filler (start) and
                 * on what follows the value (end) */
                static const uint32_t start_cut[3] = {0, 2, 3};
                static const uint32_t end_cut[3] = {0, 3, 2};
                uint32_t s0 = start_cut[shift], e = end_cut[rn % 3];
                if (s0 + e >= k) continue;   /* value too short to keep a stable part */
                o += s0;
                k -= s0 + e;
            }
            if (alts_push(c, &out, o, k)) return -1;
        }
    }
    if (out.n == 0) return fail(c, "'base64offset' value too short");
    *A = out;
    return 0;
}

static int add_stars(sg_cctx *c, alts *A, int front, int back)
{
    for (uint32_t a = 0; a < A->n; a++) {
        sstr *x = &A->a[a];
        int f = front && !(x->n && x->s[0] == SY_STAR);
        int b = back && !(x->n && x->s[x->n - 1] == SY_STAR);
        if (!f && !b) continue;
        uint16_t *o = symalloc(c, x->n + 2);
        if (!o) return fail(c, "out of memory");
        uint32_t k = 0;
        if (f) o[k++] = SY_STAR;
        memcpy(o + k, x->s, x->n * sizeof *o);
        k += x->n;
        if (b) o[k++] = SY_STAR;
        x->s = o;
        x->n = k;
    }
    return 0;
}

/* expand %name% placeholders (textual); results appended to `raws` */
typedef struct rawv { const char *s; size_t n; } rawv;
typedef struct raws { rawv *a; uint32_t n, cap; } raws;

static int raws_push(sg_cctx *c, raws *R, const char *s, size_t n)
{
    if (R->n >= SP_SIGMA_MAX_EXPAND) return fail(c, "placeholder expansion yields more than %d values", SP_SIGMA_MAX_EXPAND);
    if (R->n == R->cap) {
        uint32_t nc = R->cap ? R->cap * 2 : 4;
        rawv *na = sp_arena_alloc(&c->rs->tmp, nc * sizeof *na);
        if (!na) return fail(c, "out of memory");
        if (R->n) memcpy(na, R->a, R->n * sizeof *na);
        R->a = na;
        R->cap = nc;
    }
    R->a[R->n].s = s;
    R->a[R->n].n = n;
    R->n++;
    return 0;
}

static int expand_rec(sg_cctx *c, const char *prefix, size_t pn, const char *s, size_t n, raws *R, int depth)
{
    if (depth > 16) return fail(c, "too many placeholders in one value");
    sp_arena *t = &c->rs->tmp;
    /* copy plain text up to the next unescaped % */
    char *acc = sp_arena_alloc(t, pn + n + 1);
    if (!acc) return fail(c, "out of memory");
    memcpy(acc, prefix, pn);
    size_t k = pn, i = 0;
    for (; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n && s[i + 1] == '%') { acc[k++] = '%'; i++; continue; }
        if (s[i] == '%') break;
        acc[k++] = s[i];
    }
    if (i == n) return raws_push(c, R, acc, k);
    size_t j = i + 1;
    while (j < n && s[j] != '%') j++;
    if (j == n) { /* lone percent: plain */
        memcpy(acc + k, s + i, n - i);
        return raws_push(c, R, acc, k + n - i);
    }
    const char *name = s + i + 1;
    size_t nl = j - i - 1;
    if (!c->rs->placeholders)
        return fail(c, "placeholder %%%.*s%% needs a placeholder config (--config)", (int)(nl > 64 ? 64 : nl), name);
    const ynode *list = NULL;
    const ynode *m = c->rs->placeholders;
    for (uint32_t q = 0; q < m->n; q++) {
        const ynode *key = m->kid[2 * q];
        if (key->kind == YN_SCALAR && key->len == nl && !memcmp(key->s, name, nl)) { list = m->kid[2 * q + 1]; break; }
    }
    if (!list) return fail(c, "placeholder %%%.*s%% is not defined in the placeholder config", (int)(nl > 64 ? 64 : nl), name);
    raws tmp = {0};
    uint32_t nv = list->kind == YN_SEQ ? list->n : 1;
    for (uint32_t q = 0; q < nv; q++) {
        const ynode *v = list->kind == YN_SEQ ? list->kid[q] : list;
        if (v->kind != YN_SCALAR) return fail(c, "placeholder %%%.*s%%: values must be scalars", (int)(nl > 64 ? 64 : nl), name);
        char *joined = sp_arena_alloc(t, k + v->len + 1);
        if (!joined) return fail(c, "out of memory");
        memcpy(joined, acc, k);
        memcpy(joined + k, v->s, v->len);
        if (raws_push(c, &tmp, joined, k + v->len)) return -1;
    }
    for (uint32_t q = 0; q < tmp.n; q++)
        if (expand_rec(c, tmp.a[q].s, tmp.a[q].n, s + j + 1, n - j - 1, R, depth + 1) < 0) return -1;
    return 0;
}

/* ------------------------------------------------------------ values */

static sg_val *new_vals(sg_cctx *c, uint32_t n)
{
    c->nvalues += n;
    if (c->nvalues > SP_SIGMA_MAX_RULE_VALUES) { fail(c, "more than %d values in one rule", SP_SIGMA_MAX_RULE_VALUES); return NULL; }
    sg_val *v = sp_arena_zalloc(&c->rs->ar, n * sizeof *v);
    if (!v) fail(c, "out of memory");
    return v;
}

/* symbols -> sg_val string matcher */
static int sym_to_val(sg_cctx *c, const sstr *x, int cased, sg_val *v)
{
    sp_arena *ar = &c->rs->ar;
    v->kind = VK_STR;
    v->cased = (uint8_t)cased;
    uint32_t nstar = 0, nother = 0;
    for (uint32_t i = 0; i < x->n; i++) {
        if (x->s[i] == SY_STAR) nstar++;
        else if (x->s[i] > 255) nother++;
    }
    int lead = x->n && x->s[0] == SY_STAR, trail = x->n > 1 && x->s[x->n - 1] == SY_STAR;
    if (nstar == x->n && x->n) { v->mode = SM_ANY; return 0; }
    if (!nother && nstar == (uint32_t)(lead + trail)) {
        uint32_t a = (uint32_t)lead, b = x->n - (uint32_t)trail;
        char *s = sp_arena_alloc(ar, b - a + 1);
        if (!s) return fail(c, "out of memory");
        for (uint32_t i = a; i < b; i++) s[i - a] = (char)x->s[i];
        s[b - a] = 0;
        if (!cased) sg_lower(s, b - a);
        v->lit = s;
        v->len = b - a;
        v->mode = lead && trail ? SM_CONTAINS : lead ? SM_SUFFIX : trail ? SM_PREFIX : SM_EXACT;
        return 0;
    }
    /* general wildcard pattern */
    sg_tok *t = sp_arena_alloc(ar, x->n * sizeof *t);
    char *buf = sp_arena_alloc(ar, x->n + 1);
    if (!t || !buf) return fail(c, "out of memory");
    uint32_t nt = 0, bl = 0;
    for (uint32_t i = 0; i < x->n;) {
        uint16_t ch = x->s[i];
        if (ch == SY_STAR) {
            if (!nt || t[nt - 1].kind != T_STAR) t[nt++] = (sg_tok){T_STAR, 0, NULL};
            i++;
        } else if (ch == SY_ONE) { t[nt++] = (sg_tok){T_ONE, 0, NULL}; i++; }
        else if (ch == SY_DASH) { t[nt++] = (sg_tok){T_DASH, 0, NULL}; i++; }
        else {
            uint32_t st = bl;
            while (i < x->n && x->s[i] <= 255) buf[bl++] = (char)x->s[i++];
            if (!cased) sg_lower(buf + st, bl - st);
            t[nt++] = (sg_tok){T_LIT, bl - st, buf + st};
        }
    }
    v->mode = SM_GLOB;
    v->tok = t;
    v->ntok = nt;
    return 0;
}

static int parse_number(const char *s, size_t n, double *d, int64_t *iv, int *is_int)
{
    if (n == 0 || n > 64) return -1;
    char tmp[72];
    memcpy(tmp, s, n);
    tmp[n] = 0;
    char *e;
    errno = 0;
    long long ll = strtoll(tmp, &e, 10);
    if (!*e && !errno) { *iv = ll; *d = (double)ll; *is_int = 1; return 0; }
    double dv = strtod(tmp, &e);
    if (*e || errno || !isfinite(dv)) return -1;
    *d = dv;
    *iv = (int64_t)dv;
    *is_int = 0;
    return 0;
}

static int parse_cidr(const char *s, size_t n, sg_val *v)
{
    char tmp[80];
    if (n == 0 || n >= sizeof tmp) return -1;
    memcpy(tmp, s, n);
    tmp[n] = 0;
    char *slash = strchr(tmp, '/');
    int bits = -1;
    if (slash) {
        *slash = 0;
        char *e;
        long b = strtol(slash + 1, &e, 10);
        if (*e || slash[1] == 0 || b < 0) return -1;
        bits = (int)b;
    }
    memset(v->ip, 0, sizeof v->ip);
    if (inet_pton(AF_INET, tmp, v->ip) == 1) {
        v->fam = 4;
        if (bits < 0) bits = 32;
        if (bits > 32) return -1;
    } else if (inet_pton(AF_INET6, tmp, v->ip) == 1) {
        v->fam = 6;
        if (bits < 0) bits = 128;
        if (bits > 128) return -1;
    } else return -1;
    v->bits = (uint8_t)bits;
    v->kind = VK_CIDR;
    return 0;
}

/* compile one value node into item values (appended to *vv / *nv) */
typedef struct vacc { sg_val *v; uint32_t n, cap; } vacc;

static sg_val *vacc_add(sg_cctx *c, vacc *A, uint32_t k)
{
    if (A->n + k > A->cap) {
        uint32_t nc = A->cap ? A->cap : 4;
        while (nc < A->n + k) nc *= 2;
        sg_val *na = new_vals(c, nc);
        if (!na) return NULL;
        if (A->n) memcpy(na, A->v, A->n * sizeof *na);
        A->v = na;
        A->cap = nc;
    }
    sg_val *r = &A->v[A->n];
    memset(r, 0, k * sizeof *r);
    for (uint32_t i = 0; i < k; i++) r[i].lit_id = UINT32_MAX;
    A->n += k;
    return r;
}

sg_item *sg_compile_item(sg_cctx *c, const char *key, size_t keylen, const ynode *val)
{
    sp_ruleset *rs = c->rs;
    int mods[MAX_MODS];
    int nmods = 0;
    int has[M__N];
    memset(has, 0, sizeof has);
    /* split key into field and modifiers */
    size_t fl = 0;
    while (fl < keylen && key[fl] != '|') fl++;
    size_t p = fl;
    while (p < keylen) {
        size_t q = p + 1;
        while (q < keylen && key[q] != '|') q++;
        const char *m = key + p + 1;
        size_t ml = q - p - 1;
        int id = -1;
        for (int i = 0; i < M__N; i++)
            if (strlen(mod_names[i]) == ml && !memcmp(mod_names[i], m, ml)) { id = i; break; }
        if (ml == 10 && !memcmp(m, "ignorecase", 10)) id = M_RE_I;
        if (ml == 9 && !memcmp(m, "multiline", 9)) id = M_RE_M;
        if (ml == 6 && !memcmp(m, "dotall", 6)) id = M_RE_S;
        if (id < 0) { fail(c, "unknown modifier '%.*s' in '%.*s'", (int)(ml > 40 ? 40 : ml), m, (int)(keylen > 80 ? 80 : keylen), key); return NULL; }
        if (nmods >= MAX_MODS) { fail(c, "more than %d modifiers on '%.*s'", MAX_MODS, (int)(fl > 60 ? 60 : fl), key); return NULL; }
        if ((id == M_RE_I || id == M_RE_M || id == M_RE_S) && !has[M_RE]) {
            /* "i"/"m"/"s" only mean something after re */
            fail(c, "modifier '%.*s' without 're'", (int)ml, m);
            return NULL;
        }
        mods[nmods++] = id;
        has[id] = 1;
        p = q;
    }
    sg_item *it = sp_arena_zalloc(&rs->ar, sizeof *it);
    if (!it) { fail(c, "out of memory"); return NULL; }
    it->fid = fl ? sg_field_intern(rs, key, fl) : SG_KEYWORD;
    if (it->fid == UINT32_MAX - 1) { fail(c, "out of memory"); return NULL; }
    it->all = (uint8_t)has[M_ALL];
    it->neq = (uint8_t)has[M_NEQ];
    int tpart = has[M_MINUTE] ? TP_MINUTE : has[M_HOUR] ? TP_HOUR : has[M_DAY] ? TP_DAY : has[M_WEEK] ? TP_WEEK
              : has[M_MONTH] ? TP_MONTH : has[M_YEAR] ? TP_YEAR : TP_NONE;
    it->tpart = (uint8_t)tpart;
    int cmp = has[M_LT] ? CMP_LT : has[M_LTE] ? CMP_LTE : has[M_GT] ? CMP_GT : has[M_GTE] ? CMP_GTE : 0;
    int positional = has[M_CONTAINS] + has[M_STARTSWITH] + has[M_ENDSWITH];
    int encoding = has[M_BASE64] + has[M_BASE64OFFSET] + has[M_UTF16LE] + has[M_UTF16BE] + has[M_UTF16] + has[M_WIDE] + has[M_WINDASH];
    const char *fname = fl ? key : "(keyword)";
    int fnl = fl ? (int)(fl > 60 ? 60 : fl) : 9;

    if (has[M_RE] && (positional || encoding || cmp || has[M_CIDR] || has[M_EXPAND] || has[M_FIELDREF])) {
        fail(c, "'%.*s': 're' cannot be combined with other value modifiers", fnl, fname);
        return NULL;
    }
    if (has[M_CIDR] && (positional || encoding || cmp)) { fail(c, "'%.*s': 'cidr' cannot be combined with string modifiers", fnl, fname); return NULL; }
    if (has[M_EXISTS] && nmods > 1) { fail(c, "'%.*s': 'exists' takes no other modifier", fnl, fname); return NULL; }
    if (positional > 1) { fail(c, "'%.*s': more than one of contains/startswith/endswith", fnl, fname); return NULL; }

    /* the values */
    const ynode *single[1];
    const ynode *const *vals;
    uint32_t nvals;
    if (val && val->kind == YN_SEQ) { vals = (const ynode *const *)val->kid; nvals = val->n; }
    else if (val && val->kind == YN_MAP) { fail(c, "'%.*s': a map is not a valid value", fnl, fname); return NULL; }
    else { single[0] = val; vals = single; nvals = 1; }
    if (nvals == 0) { fail(c, "'%.*s': empty value list", fnl, fname); return NULL; }

    vacc A = {0};
    for (uint32_t vi = 0; vi < nvals; vi++) {
        const ynode *vn = vals[vi];
        if (vn && vn->kind != YN_SCALAR) { fail(c, "'%.*s': nested list or map as a value", fnl, fname); return NULL; }
        uint32_t group = vi;
        int64_t iv;
        int bv;
        if (has[M_EXISTS]) {
            if (!sy_bool(vn, &bv)) { fail(c, "'%.*s|exists' needs true or false", fnl, fname); return NULL; }
            sg_val *v = vacc_add(c, &A, 1);
            if (!v) return NULL;
            v->kind = VK_EXISTS;
            v->exists = (uint8_t)bv;
            v->group = group;
            continue;
        }
        if (sy_is_null(vn)) {
            if (nmods && !(nmods == 1 && has[M_ALL])) { fail(c, "'%.*s': null value with modifiers", fnl, fname); return NULL; }
            sg_val *v = vacc_add(c, &A, 1);
            if (!v) return NULL;
            v->kind = VK_NULL;
            v->group = group;
            continue;
        }
        const char *text = vn->s;
        size_t tl = vn->len;
        if (has[M_RE]) {
            uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
            if (has[M_RE_I]) opts |= PCRE2_CASELESS;
            if (has[M_RE_M]) opts |= PCRE2_MULTILINE;
            if (has[M_RE_S]) opts |= PCRE2_DOTALL;
            int ec;
            PCRE2_SIZE eo;
            if (tl > SP_SIGMA_MAX_VALUE_LEN) { fail(c, "'%.*s': regex too long", fnl, fname); return NULL; }
            pcre2_code *re = pcre2_compile((PCRE2_SPTR)text, tl, opts, &ec, &eo, NULL);
            if (!re) {
                char m[160];
                pcre2_get_error_message(ec, (PCRE2_UCHAR *)m, sizeof m);
                fail(c, "'%.*s|re': bad regular expression at offset %zu: %s", fnl, fname, (size_t)eo, m);
                return NULL;
            }
            if (rs->nre == rs->cap_re) {
                uint32_t nc = rs->cap_re ? rs->cap_re * 2 : 64;
                pcre2_code **nr = realloc(rs->regexes, nc * sizeof *nr);
                if (!nr) { pcre2_code_free(re); fail(c, "out of memory"); return NULL; }
                rs->regexes = nr;
                rs->cap_re = nc;
            }
            rs->regexes[rs->nre++] = re;
            sg_val *v = vacc_add(c, &A, 1);
            if (!v) return NULL;
            v->kind = VK_RE;
            v->re_idx = rs->nre - 1;   /* JIT-compiled on first use: sg_regex_ready */
            v->group = group;
            {   /* a literal every match contains: the value joins the prefilter */
                char lit[256];
                size_t ll = sg_regex_literal(text, tl, has[M_RE_I], 3, lit, sizeof lit);
                if (ll) {
                    char *l = sg_strdup(&rs->ar, lit, ll);
                    if (!l) { fail(c, "out of memory"); return NULL; }
                    v->lit = l;
                    v->len = (uint32_t)ll;
                }
            }
            continue;
        }
        if (has[M_CIDR]) {
            sg_val *v = vacc_add(c, &A, 1);
            if (!v) return NULL;
            if (parse_cidr(text, tl, v)) { fail(c, "'%.*s|cidr': invalid network '%.*s'", fnl, fname, (int)(tl > 60 ? 60 : tl), text); return NULL; }
            v->group = group;
            continue;
        }
        if (cmp || tpart) {
            double d;
            int isint;
            if (parse_number(text, tl, &d, &iv, &isint)) { fail(c, "'%.*s': numeric modifier needs a number, got '%.*s'", fnl, fname, (int)(tl > 40 ? 40 : tl), text); return NULL; }
            sg_val *v = vacc_add(c, &A, 1);
            if (!v) return NULL;
            v->kind = VK_CMP;
            v->cmp = (uint8_t)(cmp ? cmp : CMP_EQ);
            v->d = d;
            v->num = iv;
            v->group = group;
            continue;
        }
        if (has[M_FIELDREF]) {
            if (encoding || has[M_EXPAND]) { fail(c, "'%.*s|fieldref' cannot be combined with encodings", fnl, fname); return NULL; }
            sg_val *v = vacc_add(c, &A, 1);
            if (!v) return NULL;
            v->kind = VK_FIELDREF;
            v->ref_fid = sg_field_intern(rs, text, tl);
            v->mode = has[M_CONTAINS] ? SM_CONTAINS : has[M_STARTSWITH] ? SM_PREFIX : has[M_ENDSWITH] ? SM_SUFFIX : SM_EXACT;
            v->cased = (uint8_t)has[M_CASED];
            v->group = group;
            continue;
        }
        /* string value */
        alts S = {0};
        if (has[M_EXPAND]) {
            raws R = {0};
            if (expand_rec(c, "", 0, text, tl, &R, 0)) return NULL;
            for (uint32_t q = 0; q < R.n; q++)
                if (parse_sigma_string(c, R.a[q].s, R.a[q].n, &S)) return NULL;
        } else if (parse_sigma_string(c, text, tl, &S)) return NULL;
        for (int m = 0; m < nmods; m++) {
            int r = 0;
            switch (mods[m]) {
            case M_WINDASH: r = do_windash(c, &S); break;
            case M_UTF16LE: case M_WIDE: r = do_utf16(c, &S, 0, 0); break;
            case M_UTF16BE: r = do_utf16(c, &S, 1, 0); break;
            case M_UTF16: r = do_utf16(c, &S, 0, 1); break;
            case M_BASE64: r = do_base64(c, &S, 0); break;
            case M_BASE64OFFSET: r = do_base64(c, &S, 1); break;
            case M_CONTAINS: r = add_stars(c, &S, 1, 1); break;
            case M_STARTSWITH: r = add_stars(c, &S, 0, 1); break;
            case M_ENDSWITH: r = add_stars(c, &S, 1, 0); break;
            default: break;
            }
            if (r) return NULL;
        }
        if (it->fid == SG_KEYWORD && !positional && !encoding) {
            /* a keyword is searched anywhere in a value */
            if (add_stars(c, &S, 1, 1)) return NULL;
        }
        sg_val *v = vacc_add(c, &A, S.n);
        if (!v) return NULL;
        int isnum = !has[M_EXPAND] && !positional && !encoding && sy_int(vn, &iv);
        for (uint32_t q = 0; q < S.n; q++) {
            if (sym_to_val(c, &S.a[q], has[M_CASED], &v[q])) return NULL;
            v[q].group = group;
            if (isnum && v[q].mode == SM_EXACT) { v[q].is_num = 1; v[q].num = iv; }
        }
    }
    if (has[M_ALL] && nvals == 1 && A.n == 1 && it->fid != SG_KEYWORD) {
        /* spec: 'all' on a single value is pointless but harmless; accept */
    }
    it->v = A.v;
    it->nv = A.n;
    it->ngroups = nvals;
    return it;
}
