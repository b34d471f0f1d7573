/*
 * json.c — the flat-leaf JSON reader (see json.h for why it is hand-written).
 *
 * Recursive descent, bounded by SP_MAX_JSON_DEPTH.  The current key path is
 * kept in a fixed buffer; each leaf gets its own copy in the arena.  Strings
 * without escapes point into the input; others are decoded into the arena
 * (\uXXXX with surrogate pairs to UTF-8, lone surrogates to U+FFFD).
 */
#include "json.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/limits.h"

typedef struct jp {
    const char *s;
    size_t n, i;
    sp_arena *a;
    sp_jdoc *doc;
    char path[SP_MAX_JSON_PATH + 1];
    size_t plen;
    uint32_t depth;        /* keys in path */
    unsigned nest;         /* objects + arrays open */
    char *err;
    size_t errcap;
} jp;

__attribute__((format(printf, 2, 3)))
static int fail(jp *p, const char *fmt, ...)
{
    if (p->err && p->errcap) {
        char m[160];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(m, sizeof m, fmt, ap);
        va_end(ap);
        snprintf(p->err, p->errcap, "offset %zu: %s", p->i, m);
    }
    return -1;
}

static inline void ws(jp *p)
{
    while (p->i < p->n) {
        char c = p->s[p->i];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        p->i++;
    }
}

static int add_leaf(jp *p, uint8_t type, const char *v, size_t vl, int in_array)
{
    sp_jdoc *d = p->doc;
    if (d->n >= SP_MAX_JSON_LEAVES) return fail(p, "more than %u values", (unsigned)SP_MAX_JSON_LEAVES);
    if (d->n == d->cap) {
        uint32_t nc = d->cap ? d->cap * 2 : 64;
        sp_jleaf *nl = sp_arena_alloc(p->a, nc * sizeof *nl);
        if (!nl) return fail(p, "out of memory");
        if (d->n) memcpy(nl, d->leaves, d->n * sizeof *nl);
        d->leaves = nl;
        d->cap = nc;
    }
    char *path = sp_arena_alloc(p->a, p->plen + 1);
    if (!path) return fail(p, "out of memory");
    memcpy(path, p->path, p->plen);
    path[p->plen] = 0;
    sp_jleaf *l = &d->leaves[d->n++];
    l->path = path;
    l->path_len = (uint32_t)p->plen;
    l->depth = p->depth;
    l->val = v;
    l->val_len = (uint32_t)vl;
    l->type = type;
    l->in_array = (uint8_t)in_array;
    return 0;
}

static int hex4(const char *s, unsigned *out)
{
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        char c = s[k];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return -1;
    }
    *out = v;
    return 0;
}

static char *put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) *o++ = (char)cp;
    else if (cp < 0x800) { *o++ = (char)(0xC0 | (cp >> 6)); *o++ = (char)(0x80 | (cp & 0x3F)); }
    else if (cp < 0x10000) {
        *o++ = (char)(0xE0 | (cp >> 12)); *o++ = (char)(0x80 | ((cp >> 6) & 0x3F)); *o++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *o++ = (char)(0xF0 | (cp >> 18)); *o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F)); *o++ = (char)(0x80 | (cp & 0x3F));
    }
    return o;
}

/* String at p->i (the opening quote).  Sets out and len to the decoded text. */
static int string(jp *p, const char **out, size_t *len)
{
    size_t start = ++p->i, k = start;
    int esc = 0;
    while (k < p->n && p->s[k] != '"') {
        if (p->s[k] == '\\') { esc = 1; k++; }
        k++;
    }
    if (k >= p->n) { p->i = start - 1; return fail(p, "unterminated string"); }
    p->i = k + 1;
    if (!esc) { *out = p->s + start; *len = k - start; return 0; }
    /* decode: output is never longer than the input */
    char *o = sp_arena_alloc(p->a, k - start + 1), *w = o;
    if (!o) return fail(p, "out of memory");
    for (size_t j = start; j < k; j++) {
        char c = p->s[j];
        if (c != '\\') { *w++ = c; continue; }
        c = p->s[++j];
        switch (c) {
        case '"': *w++ = '"'; break;
        case '\\': *w++ = '\\'; break;
        case '/': *w++ = '/'; break;
        case 'b': *w++ = '\b'; break;
        case 'f': *w++ = '\f'; break;
        case 'n': *w++ = '\n'; break;
        case 'r': *w++ = '\r'; break;
        case 't': *w++ = '\t'; break;
        case 'u': {
            unsigned cp;
            if (j + 4 >= k || hex4(p->s + j + 1, &cp)) { p->i = j; return fail(p, "bad \\u escape"); }
            j += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF && j + 6 < k && p->s[j + 1] == '\\' && p->s[j + 2] == 'u') {
                unsigned lo;
                if (!hex4(p->s + j + 3, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    j += 6;
                }
            }
            if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
            w = put_utf8(w, cp);
            break;
        }
        default:
            p->i = j;
            return fail(p, "bad escape \\%c", c);
        }
    }
    *out = o;
    *len = (size_t)(w - o);
    return 0;
}

static int value(jp *p, int in_array);

static int object(jp *p)
{
    p->i++; /* { */
    ws(p);
    if (p->i < p->n && p->s[p->i] == '}') {
        p->i++;
        return p->depth ? add_leaf(p, SP_J_EMPTY_OBJ, "", 0, 0) : 0;
    }
    for (;;) {
        ws(p);
        if (p->i >= p->n || p->s[p->i] != '"') return fail(p, "expected a key");
        const char *k;
        size_t kl;
        if (string(p, &k, &kl)) return -1;
        size_t saved = p->plen;
        if (saved + (saved ? 1 : 0) + kl > SP_MAX_JSON_PATH) return fail(p, "key path longer than %u bytes", (unsigned)SP_MAX_JSON_PATH);
        if (saved) p->path[p->plen++] = '.';
        memcpy(p->path + p->plen, k, kl);
        p->plen += kl;
        p->depth++;
        ws(p);
        if (p->i >= p->n || p->s[p->i] != ':') return fail(p, "expected ':'");
        p->i++;
        if (value(p, 0)) return -1;
        p->plen = saved;
        p->depth--;
        ws(p);
        if (p->i >= p->n) return fail(p, "unterminated object");
        if (p->s[p->i] == ',') { p->i++; continue; }
        if (p->s[p->i] == '}') { p->i++; return 0; }
        return fail(p, "expected ',' or '}'");
    }
}

static int array(jp *p)
{
    p->i++; /* [ */
    ws(p);
    if (p->i < p->n && p->s[p->i] == ']') { p->i++; return add_leaf(p, SP_J_EMPTY_ARR, "", 0, 0); }
    for (;;) {
        if (value(p, 1)) return -1;
        ws(p);
        if (p->i >= p->n) return fail(p, "unterminated array");
        if (p->s[p->i] == ',') { p->i++; continue; }
        if (p->s[p->i] == ']') { p->i++; return 0; }
        return fail(p, "expected ',' or ']'");
    }
}

static int number(jp *p, int in_array)
{
    size_t st = p->i, k = st;
    if (k < p->n && p->s[k] == '-') k++;
    size_t d0 = k;
    while (k < p->n && p->s[k] >= '0' && p->s[k] <= '9') k++;
    if (k == d0) return fail(p, "bad number");
    if (k < p->n && p->s[k] == '.') {
        k++;
        size_t f0 = k;
        while (k < p->n && p->s[k] >= '0' && p->s[k] <= '9') k++;
        if (k == f0) return fail(p, "bad number");
    }
    if (k < p->n && (p->s[k] == 'e' || p->s[k] == 'E')) {
        k++;
        if (k < p->n && (p->s[k] == '+' || p->s[k] == '-')) k++;
        size_t e0 = k;
        while (k < p->n && p->s[k] >= '0' && p->s[k] <= '9') k++;
        if (k == e0) return fail(p, "bad number");
    }
    p->i = k;
    return add_leaf(p, SP_J_NUM, p->s + st, k - st, in_array);
}

static int literal(jp *p, const char *w, size_t wl, uint8_t type, int in_array)
{
    if (p->n - p->i < wl || memcmp(p->s + p->i, w, wl)) return fail(p, "unexpected character");
    p->i += wl;
    return add_leaf(p, type, w, type == SP_J_NULL ? 0 : wl, in_array);
}

static int value(jp *p, int in_array)
{
    ws(p);
    if (p->i >= p->n) return fail(p, "unexpected end of input");
    char c = p->s[p->i];
    if (c == '{' || c == '[') {
        /* nesting: objects and arrays both count */
        if (p->nest >= SP_MAX_JSON_DEPTH) return fail(p, "nested deeper than %d", SP_MAX_JSON_DEPTH);
        p->nest++;
        int r = c == '{' ? object(p) : array(p);
        p->nest--;
        return r;
    }
    if (c == '"') {
        const char *v;
        size_t vl;
        if (string(p, &v, &vl)) return -1;
        return add_leaf(p, SP_J_STR, v, vl, in_array);
    }
    if (c == '-' || (c >= '0' && c <= '9')) return number(p, in_array);
    if (c == 't') return literal(p, "true", 4, SP_J_TRUE, in_array);
    if (c == 'f') return literal(p, "false", 5, SP_J_FALSE, in_array);
    if (c == 'n') return literal(p, "null", 4, SP_J_NULL, in_array);
    return fail(p, "unexpected character 0x%02x", (unsigned char)c);
}

int sp_json_parse(const char *text, size_t len, sp_arena *a, sp_jdoc *doc, char *err, size_t errcap)
{
    memset(doc, 0, sizeof *doc);
    if (len > SP_MAX_LINE) {
        if (err && errcap) snprintf(err, errcap, "line of %zu bytes (limit %u)", len, (unsigned)SP_MAX_LINE);
        return -1;
    }
    jp *p = sp_arena_alloc(a, sizeof *p);
    if (!p) { if (err && errcap) snprintf(err, errcap, "out of memory"); return -1; }
    p->s = text;
    p->n = len;
    p->i = 0;
    p->a = a;
    p->doc = doc;
    p->plen = 0;
    p->depth = 0;
    p->nest = 0;
    p->err = err;
    p->errcap = errcap;
    ws(p);
    doc->top_is_object = p->i < p->n && p->s[p->i] == '{';
    if (value(p, 0)) return -1;
    ws(p);
    if (p->i != p->n) return fail(p, "trailing characters after the JSON value");
    return 0;
}

int sp_json_int(const char *s, size_t n, int64_t *out)
{
    size_t i = 0;
    int neg = 0;
    if (i < n && s[i] == '-') { neg = 1; i++; }
    if (i == n || n - i > 19) return 0;
    uint64_t v = 0;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (neg) { if (v > (uint64_t)INT64_MAX + 1) return 0; *out = (int64_t)(0 - v); }
    else { if (v > (uint64_t)INT64_MAX) return 0; *out = (int64_t)v; }
    return 1;
}
