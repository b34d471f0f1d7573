/*
 * sigma_cond.c — the condition language -> sg_node trees.
 *
 *   expr    := or
 *   or      := and { "or" and }
 *   and     := not { "and" not }
 *   not     := "not" not | primary
 *   primary := "(" expr ")" | quant | IDENT
 *   quant   := ("1" | "any" | "all" | N) "of" (PATTERN | "them")
 *
 * Precedence (least to most binding): or, and, not, x of, parentheses.
 * PATTERN may hold `*` (any run) and `?`; `them` is every search identifier
 * not starting with `_`.  Selection trees are shared, not copied, by every
 * reference.  The old aggregation syntax (`| count() ...`, `near`) is
 * rejected.  Depth and length are bounded (limits.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sigma/sigma.h"

typedef struct tok { int kind; const char *s; size_t n; } tok;
enum { TK_END, TK_LP, TK_RP, TK_WORD };

typedef struct cparse {
    sg_cctx *c;
    const char *s;
    size_t n, pos;
    tok cur;
    const sg_sel *sel;
    uint32_t nsel;
    int depth;
    int failed;
} cparse;

static void cfail(cparse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void cfail(cparse *p, const char *fmt, ...)
{
    if (p->failed) return;
    p->failed = 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->c->err, p->c->errcap, fmt, ap);
    va_end(ap);
}

static void next(cparse *p)
{
    while (p->pos < p->n && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
        p->pos++;
    if (p->pos >= p->n) { p->cur = (tok){TK_END, p->s + p->n, 0}; return; }
    char ch = p->s[p->pos];
    if (ch == '(') { p->cur = (tok){TK_LP, p->s + p->pos, 1}; p->pos++; return; }
    if (ch == ')') { p->cur = (tok){TK_RP, p->s + p->pos, 1}; p->pos++; return; }
    size_t st = p->pos;
    while (p->pos < p->n && !strchr(" \t\r\n()", p->s[p->pos])) p->pos++;
    p->cur = (tok){TK_WORD, p->s + st, p->pos - st};
}

static int is_kw(const tok *t, const char *kw)
{
    size_t l = strlen(kw);
    if (t->kind != TK_WORD || t->n != l) return 0;
    for (size_t i = 0; i < l; i++)
        if (sg_lc((unsigned char)t->s[i]) != (unsigned char)kw[i]) return 0;
    return 1;
}

static sg_node *mk(cparse *p, uint8_t op, uint32_t n)
{
    sg_node *x = sp_arena_zalloc(&p->c->rs->ar, sizeof *x);
    if (x && n) x->kid = sp_arena_zalloc(&p->c->rs->ar, n * sizeof *x->kid);
    if (!x || (n && !x->kid)) { cfail(p, "out of memory"); return NULL; }
    x->op = op;
    x->n = n;
    return x;
}

/* glob on identifiers: '*' any run, '?' one char */
static int name_glob(const char *pat, size_t pn, const char *s, size_t sn)
{
    size_t pi = 0, si = 0, star = (size_t)-1, ss = 0;
    while (si < sn) {
        if (pi < pn && (pat[pi] == '?' || pat[pi] == s[si])) { pi++; si++; }
        else if (pi < pn && pat[pi] == '*') { star = pi++; ss = si; }
        else if (star != (size_t)-1) { pi = star + 1; si = ++ss; }
        else return 0;
    }
    while (pi < pn && pat[pi] == '*') pi++;
    return pi == pn;
}

static sg_node *parse_or(cparse *p);

static sg_node *parse_primary(cparse *p)
{
    if (p->failed) return NULL;
    if (p->cur.kind == TK_LP) {
        if (++p->depth > SP_SIGMA_MAX_COND_DEPTH) { cfail(p, "condition nested deeper than %d", SP_SIGMA_MAX_COND_DEPTH); return NULL; }
        next(p);
        sg_node *e = parse_or(p);
        if (p->failed) return NULL;
        if (p->cur.kind != TK_RP) { cfail(p, "condition: missing ')'"); return NULL; }
        p->depth--;
        next(p);
        return e;
    }
    if (p->cur.kind != TK_WORD) { cfail(p, "condition: expected a search identifier near '%.30s'", p->cur.s); return NULL; }
    tok w = p->cur;
    if (memchr(w.s, '|', w.n)) { cfail(p, "condition: aggregation expression ('|') is deprecated Sigma syntax, use a correlation rule"); return NULL; }
    if (is_kw(&w, "near")) { cfail(p, "condition: 'near' is deprecated Sigma syntax, use a correlation rule"); return NULL; }
    /* quantifier? */
    int all = is_kw(&w, "all"), any = is_kw(&w, "any");
    long num = -1;
    if (!all && !any && w.n < 6) {
        size_t i = 0;
        for (; i < w.n && w.s[i] >= '0' && w.s[i] <= '9'; i++) {}
        if (i == w.n && w.n) { num = 0; for (i = 0; i < w.n; i++) num = num * 10 + (w.s[i] - '0'); }
    }
    if (all || any || num >= 0) {
        next(p);
        if (!is_kw(&p->cur, "of")) {
            if (num >= 0 || all || any) { cfail(p, "condition: expected 'of' after '%.*s'", (int)w.n, w.s); return NULL; }
        }
        next(p);
        if (p->cur.kind != TK_WORD) { cfail(p, "condition: expected a pattern or 'them' after 'of'"); return NULL; }
        tok pat = p->cur;
        int them = is_kw(&pat, "them");
        uint32_t cnt = 0;
        for (uint32_t i = 0; i < p->nsel; i++) {
            const char *nm = p->sel[i].name;
            if (them ? nm[0] != '_' : name_glob(pat.s, pat.n, nm, strlen(nm))) cnt++;
        }
        if (cnt == 0) { cfail(p, "condition: '%.*s' matches no search identifier", (int)(pat.n > 60 ? 60 : pat.n), pat.s); return NULL; }
        if (num == 0) { cfail(p, "condition: '0 of' is not meaningful"); return NULL; }
        if (num > (long)cnt) { cfail(p, "condition: '%ld of %.*s' but only %u identifiers match", num, (int)(pat.n > 60 ? 60 : pat.n), pat.s, cnt); return NULL; }
        uint8_t op = all ? N_AND : (any || num == 1) ? N_OR : N_ATLEAST;
        sg_node *x = mk(p, op, cnt);
        if (!x) return NULL;
        x->k = num > 0 ? (uint32_t)num : 1;
        uint32_t k = 0;
        for (uint32_t i = 0; i < p->nsel; i++) {
            const char *nm = p->sel[i].name;
            if (them ? nm[0] != '_' : name_glob(pat.s, pat.n, nm, strlen(nm))) x->kid[k++] = p->sel[i].node;
        }
        next(p);
        return x->n == 1 ? x->kid[0] : x;
    }
    if (is_kw(&w, "and") || is_kw(&w, "or") || is_kw(&w, "of") || is_kw(&w, "them")) {
        cfail(p, "condition: unexpected '%.*s'", (int)w.n, w.s);
        return NULL;
    }
    for (uint32_t i = 0; i < p->nsel; i++) {
        if (strlen(p->sel[i].name) == w.n && !memcmp(p->sel[i].name, w.s, w.n)) {
            next(p);
            return p->sel[i].node;
        }
    }
    cfail(p, "condition: unknown search identifier '%.*s'", (int)(w.n > 60 ? 60 : w.n), w.s);
    return NULL;
}

static sg_node *parse_not(cparse *p)
{
    if (p->failed) return NULL;
    if (is_kw(&p->cur, "not")) {
        if (++p->depth > SP_SIGMA_MAX_COND_DEPTH) { cfail(p, "condition nested deeper than %d", SP_SIGMA_MAX_COND_DEPTH); return NULL; }
        next(p);
        sg_node *e = parse_not(p);
        p->depth--;
        if (!e) return NULL;
        sg_node *x = mk(p, N_NOT, 1);
        if (!x) return NULL;
        x->kid[0] = e;
        return x;
    }
    return parse_primary(p);
}

/* binary chains: collect operands, then one n-ary node */
static sg_node *chain(cparse *p, const char *kw, uint8_t op, sg_node *(*sub)(cparse *))
{
    sg_node *first = sub(p);
    if (!first) return NULL;
    if (!is_kw(&p->cur, kw)) return first;
    sg_node *buf[64];
    sg_node **v = buf;
    uint32_t n = 0, cap = 64;
    v[n++] = first;
    sg_node *res = NULL;
    while (is_kw(&p->cur, kw)) {
        next(p);
        sg_node *e = sub(p);
        if (!e) goto out;
        if (n == cap) {
            if (cap >= 65536) { cfail(p, "condition too long"); goto out; }
            sg_node **nv = sp_arena_alloc(&p->c->rs->tmp, cap * 2 * sizeof *nv);
            if (!nv) { cfail(p, "out of memory"); goto out; }
            memcpy(nv, v, n * sizeof *nv);
            v = nv;
            cap *= 2;
        }
        v[n++] = e;
    }
    res = mk(p, op, n);
    if (res) memcpy(res->kid, v, n * sizeof *v);
out:
    return res;
}

static sg_node *parse_and(cparse *p) { return chain(p, "and", N_AND, parse_not); }
static sg_node *parse_or(cparse *p) { return chain(p, "or", N_OR, parse_and); }

sg_node *sg_parse_condition(sg_cctx *c, const char *cond, size_t len, const sg_sel *sel, uint32_t nsel)
{
    if (len > SP_SIGMA_MAX_COND_LEN) { snprintf(c->err, c->errcap, "condition longer than %d characters", SP_SIGMA_MAX_COND_LEN); return NULL; }
    cparse p;
    memset(&p, 0, sizeof p);
    p.c = c;
    p.s = cond;
    p.n = len;
    p.sel = sel;
    p.nsel = nsel;
    next(&p);
    if (p.cur.kind == TK_END) { snprintf(c->err, c->errcap, "empty condition"); return NULL; }
    sg_node *e = parse_or(&p);
    if (!p.failed && p.cur.kind != TK_END) {
        if (p.cur.kind == TK_RP) cfail(&p, "condition: unbalanced ')'");
        else if (memchr(p.cur.s, '|', p.cur.n) || (p.cur.n == 1 && p.cur.s[0] == '|'))
            cfail(&p, "condition: aggregation expression ('|') is deprecated Sigma syntax, use a correlation rule");
        else cfail(&p, "condition: unexpected '%.*s'", (int)(p.cur.n > 40 ? 40 : p.cur.n), p.cur.s);
    }
    return p.failed ? NULL : e;
}
