/*
 * stix_pattern.c — STIX 2.1 patterning (part 9): a recursive-descent parser
 * into a small tree, and an evaluator over observations.
 *
 *   pattern  := fby EOF
 *   fby      := oor (FOLLOWEDBY oor)*          (lowest precedence)
 *   oor      := oand (OR oand)*
 *   oand     := oqual (AND oqual)*
 *   oqual    := oprim qualifier*
 *   oprim    := '[' cor ']' | '(' fby ')'
 *   cor      := cand (OR cand)*
 *   cand     := cprim (AND cprim)*
 *   cprim    := '(' cor ')' | EXISTS path | path [NOT] op literal
 *   op       := = == != <> < <= > >= IN LIKE MATCHES ISSUBSET ISSUPERSET
 *   qualifier:= WITHIN n SECONDS | REPEATS n TIMES | START t'..' STOP t'..'
 *
 * Evaluation: a comparison expression is tested against one observation
 * (any value at the path satisfies the test; an absent path makes every
 * test, negated or not, false).  An observation expression yields a bounded
 * list of matches (first/last time, observation count); AND pairs matches of
 * both sides, FOLLOWEDBY only pairs where the left ends no later than the
 * right starts, and qualifiers filter (WITHIN, START/STOP) or combine
 * (REPEATS) them.  Times unknown (INT64_MIN) fail every temporal test.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "intel/ioc_int.h"
#include "sigma/sigma_event.h"

enum { N_FBY = 1, N_OOR, N_OAND, N_OBS, N_COR, N_CAND, N_TEST };
enum { OP_EQ = 1, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_IN, OP_LIKE, OP_MATCHES, OP_SUBSET, OP_SUPERSET, OP_EXISTS };
enum { L_STR = 1, L_INT, L_FLOAT, L_BOOL, L_TS, L_BIN };
enum { PK_OTHER = 0, PK_IP, PK_HASH, PK_DOMAIN, PK_URL, PK_REG, PK_NAME, PK_NETREF };
enum { Q_WITHIN = 1, Q_REPEATS, Q_STARTSTOP };

typedef struct lit {
    int t;
    const char *s;        /* string / decoded binary (arena) */
    size_t n;
    double d;
    int64_t ms;
    int ip_ok;
    ioc_ip ip;
    const char *norm;     /* normalised form for PK_URL / PK_REG / PK_DOMAIN */
    size_t nn;
} lit;

typedef struct qual {
    int t;
    double within;
    uint32_t repeats;
    int64_t start, stop;
} qual;

typedef struct pnode {
    int kind;
    struct pnode *a, *b;
    /* N_OBS and parenthesised observation expressions: qualifiers */
    qual q[4];
    int nq;
    /* N_TEST */
    const char *path;     /* canonical */
    int pk, op, neg;
    lit *lits;
    size_t nlits;
    pcre2_code *re;
} pnode;

struct sp_stix_pattern {
    sp_arena a;
    pnode *root;
    pcre2_code **res;
    size_t nres, cres;
    size_t nodes;
};

/* ------------------------------------------------------------------ lexer */

typedef struct parser {
    const char *s;
    size_t n, i;
    sp_stix_pattern *p;
    int depth;
    char err[256];
    size_t err_off;
} parser;

static void ws(parser *ps)
{
    while (ps->i < ps->n && isspace((unsigned char)ps->s[ps->i])) ps->i++;
}

static int fail(parser *ps, const char *msg)
{
    if (!ps->err[0]) {
        snprintf(ps->err, sizeof ps->err, "%s at offset %zu", msg, ps->i);
        ps->err_off = ps->i;
    }
    return -1;
}

static int is_word(int c) { return isalnum(c) || c == '_'; }

/* keyword at the current position (whole word); consumes it */
static int kw(parser *ps, const char *k)
{
    ws(ps);
    size_t l = strlen(k);
    if (ps->i + l <= ps->n && !memcmp(ps->s + ps->i, k, l) &&
        (ps->i + l == ps->n || !is_word((unsigned char)ps->s[ps->i + l]))) {
        ps->i += l;
        return 1;
    }
    return 0;
}

static int ch(parser *ps, char c)
{
    ws(ps);
    if (ps->i < ps->n && ps->s[ps->i] == c) {
        ps->i++;
        return 1;
    }
    return 0;
}

static pnode *node(parser *ps, int kind)
{
    if (++ps->p->nodes > SP_STIX_MAX_NODES) {
        fail(ps, "pattern too large");
        return NULL;
    }
    pnode *nd = sp_arena_zalloc(&ps->p->a, sizeof *nd);
    if (!nd) fail(ps, "out of memory");
    else nd->kind = kind;
    return nd;
}

/* 'string' with \' and \\ escapes; returns arena copy */
static int str_lit(parser *ps, const char **out, size_t *outn)
{
    if (ps->i >= ps->n || ps->s[ps->i] != '\'') return fail(ps, "expected a quoted string");
    ps->i++;
    char *buf = sp_arena_alloc(&ps->p->a, ps->n - ps->i + 1);
    if (!buf) return fail(ps, "out of memory");
    size_t o = 0;
    while (ps->i < ps->n && ps->s[ps->i] != '\'') {
        char c = ps->s[ps->i];
        if (c == '\\') {
            if (ps->i + 1 >= ps->n || (ps->s[ps->i + 1] != '\'' && ps->s[ps->i + 1] != '\\'))
                return fail(ps, "invalid escape in string (only \\' and \\\\)");
            c = ps->s[ps->i + 1];
            ps->i++;
        }
        buf[o++] = c;
        ps->i++;
    }
    if (ps->i >= ps->n) return fail(ps, "unterminated string");
    ps->i++;
    buf[o] = 0;
    *out = buf;
    *outn = o;
    return 0;
}

/* ------------------------------------------------------------ object paths */

static void canon_hash_name(char *s, size_t *n)
{
    for (size_t i = 0; i < *n; i++) s[i] = (char)toupper((unsigned char)s[i]);
    static const struct { const char *from, *to; } al[] = {
        {"SHA1", "SHA-1"}, {"SHA256", "SHA-256"}, {"SHA512", "SHA-512"}, {"SHA224", "SHA-224"}, {"SHA384", "SHA-384"},
        {"SHA3256", "SHA3-256"}, {"SHA3512", "SHA3-512"},
    };
    for (size_t i = 0; i < sizeof al / sizeof *al; i++)
        if (*n == strlen(al[i].from) && !memcmp(s, al[i].from, *n)) {
            *n = strlen(al[i].to);
            memcpy(s, al[i].to, *n);
            return;
        }
}

/* Canonical path of raw text `r` (pattern syntax or observation text):
 * quotes dropped, list indexes dropped, hash names unified.  Returns the
 * length or 0 when it does not fit / is not a path. */
static size_t canon_path(const char *r, size_t n, char *out, size_t cap)
{
    size_t o = 0, i = 0;
    int after_hashes = 0;
    while (i < n && r[i] != ':') {
        if (o + 1 >= cap) return 0;
        out[o++] = (char)tolower((unsigned char)r[i++]);
    }
    if (i >= n || !o) return 0;
    out[o++] = ':';
    i++;
    int first = 1;
    while (i < n) {
        if (r[i] == '[') {
            while (i < n && r[i] != ']') i++;
            i++;
            continue;
        }
        if (r[i] == '.') {
            i++;
            continue;
        }
        if (!first) {
            if (o + 1 >= cap) return 0;
            out[o++] = '.';
        }
        size_t cs = o;
        if (r[i] == '\'') {
            i++;
            while (i < n && r[i] != '\'') {
                if (r[i] == '\\' && i + 1 < n) i++;
                if (o + 1 >= cap) return 0;
                out[o++] = r[i++];
            }
            i++;
        } else {
            while (i < n && r[i] != '.' && r[i] != '[') {
                if (o + 1 >= cap) return 0;
                out[o++] = r[i++];
            }
        }
        if (after_hashes) {
            size_t l = o - cs;
            if (l + 8 < cap - cs) canon_hash_name(out + cs, &l);
            o = cs + l;
        }
        after_hashes = (o - cs == 6 && !memcmp(out + cs, "hashes", 6));
        first = 0;
    }
    out[o] = 0;
    return o;
}

static int path_kind(const char *p)
{
    if (!strcmp(p, "ipv4-addr:value") || !strcmp(p, "ipv6-addr:value")) return PK_IP;
    if (!strcmp(p, "network-traffic:src_ref.value") || !strcmp(p, "network-traffic:dst_ref.value")) return PK_NETREF;
    if (!strncmp(p, "file:hashes.", 12) || !strcmp(p, "file:extensions.windows-pebinary-ext.imphash") ||
        !strncmp(p, "artifact:hashes.", 16) || !strncmp(p, "process:image_ref.hashes.", 25))
        return PK_HASH;
    if (!strcmp(p, "domain-name:value")) return PK_DOMAIN;
    if (!strcmp(p, "url:value")) return PK_URL;
    if (!strcmp(p, "windows-registry-key:key")) return PK_REG;
    if (!strcmp(p, "file:name") || !strcmp(p, "process:image_ref.name") || !strcmp(p, "file:parent_directory_ref.path"))
        return PK_NAME;
    return PK_OTHER;
}

/* objectType ':' component ( '.' component | '[' index ']' )* */
static int parse_path(parser *ps, const char **out)
{
    ws(ps);
    size_t st = ps->i;
    while (ps->i < ps->n && (isalnum((unsigned char)ps->s[ps->i]) || ps->s[ps->i] == '-' || ps->s[ps->i] == '_'))
        ps->i++;
    if (ps->i == st || ps->i >= ps->n || ps->s[ps->i] != ':') return fail(ps, "expected an object path (type:property)");
    ps->i++;
    int comps = 0;
    for (;;) {
        if (ps->i < ps->n && ps->s[ps->i] == '\'') {
            const char *d;
            size_t dn;
            if (str_lit(ps, &d, &dn)) return -1;
            comps++;
        } else if (ps->i < ps->n && (isalpha((unsigned char)ps->s[ps->i]) || ps->s[ps->i] == '_')) {
            while (ps->i < ps->n && (is_word((unsigned char)ps->s[ps->i]) || ps->s[ps->i] == '-')) ps->i++;
            comps++;
        } else
            return fail(ps, "expected a property name");
        while (ps->i < ps->n && ps->s[ps->i] == '[') {
            ps->i++;
            if (ps->i < ps->n && ps->s[ps->i] == '*') ps->i++;
            else {
                if (ps->i < ps->n && ps->s[ps->i] == '-') ps->i++;
                size_t d0 = ps->i;
                while (ps->i < ps->n && isdigit((unsigned char)ps->s[ps->i])) ps->i++;
                if (d0 == ps->i) return fail(ps, "expected a list index or *");
            }
            if (ps->i >= ps->n || ps->s[ps->i] != ']') return fail(ps, "expected ]");
            ps->i++;
        }
        if (ps->i < ps->n && ps->s[ps->i] == '.') {
            ps->i++;
            continue;
        }
        break;
    }
    (void)comps;
    char buf[1024];
    size_t l = canon_path(ps->s + st, ps->i - st, buf, sizeof buf);
    if (!l) return fail(ps, "object path too long");
    char *c = sp_arena_alloc(&ps->p->a, l + 1);
    if (!c) return fail(ps, "out of memory");
    memcpy(c, buf, l + 1);
    *out = c;
    return 0;
}

/* ---------------------------------------------------------------- literals */

static int b64v(int c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

static int parse_lit(parser *ps, lit *l)
{
    ws(ps);
    memset(l, 0, sizeof *l);
    if (ps->i >= ps->n) return fail(ps, "expected a value");
    char c = ps->s[ps->i];
    if (c == '\'') {
        l->t = L_STR;
        return str_lit(ps, &l->s, &l->n);
    }
    if ((c == 't' || c == 'b' || c == 'h') && ps->i + 1 < ps->n && ps->s[ps->i + 1] == '\'') {
        ps->i++;
        const char *s;
        size_t n;
        if (str_lit(ps, &s, &n)) return -1;
        if (c == 't') {
            l->t = L_TS;
            if (sp_parse_iso_ms(s, n, &l->ms)) return fail(ps, "invalid timestamp");
            l->s = s;
            l->n = n;
            return 0;
        }
        l->t = L_BIN;
        char *o = sp_arena_alloc(&ps->p->a, n + 1);
        if (!o) return fail(ps, "out of memory");
        size_t on = 0;
        if (c == 'h') {
            if (n % 2) return fail(ps, "odd hex literal");
            for (size_t i = 0; i < n; i += 2) {
                if (!isxdigit((unsigned char)s[i]) || !isxdigit((unsigned char)s[i + 1])) return fail(ps, "invalid hex literal");
                char t[3] = {s[i], s[i + 1], 0};
                o[on++] = (char)strtol(t, NULL, 16);
            }
        } else {
            uint32_t acc = 0;
            int bits = 0;
            for (size_t i = 0; i < n; i++) {
                if (s[i] == '=') break;
                int v = b64v((unsigned char)s[i]);
                if (v < 0) return fail(ps, "invalid base64 literal");
                acc = acc << 6 | (uint32_t)v;
                bits += 6;
                if (bits >= 8) {
                    bits -= 8;
                    o[on++] = (char)(acc >> bits);
                }
            }
        }
        l->s = o;
        l->n = on;
        return 0;
    }
    if (kw(ps, "true") || kw(ps, "false")) {
        l->t = L_BOOL;
        l->d = ps->s[ps->i - 1] == 'e' && ps->s[ps->i - 2] == 'u';
        return 0;
    }
    if (c == '-' || c == '+' || isdigit((unsigned char)c)) {
        size_t st = ps->i;
        ps->i++;
        int fl = 0;
        while (ps->i < ps->n && (isdigit((unsigned char)ps->s[ps->i]) || ps->s[ps->i] == '.')) {
            if (ps->s[ps->i] == '.') fl = 1;
            ps->i++;
        }
        char t[64];
        size_t tn = ps->i - st;
        if (tn >= sizeof t) return fail(ps, "number too long");
        memcpy(t, ps->s + st, tn);
        t[tn] = 0;
        char *e;
        l->d = strtod(t, &e);
        if (*e || !isfinite(l->d)) return fail(ps, "invalid number");
        l->t = fl ? L_FLOAT : L_INT;
        l->s = sp_arena_alloc(&ps->p->a, tn + 1);
        if (!l->s) return fail(ps, "out of memory");
        memcpy((char *)l->s, t, tn + 1);
        l->n = tn;
        return 0;
    }
    return fail(ps, "expected a value");
}

static const char *lnorm(parser *ps, int pk, const char *s, size_t n, size_t *nn)
{
    char buf[SP_INTEL_MAX_VALUE + 16];
    size_t l = 0;
    if (n > SP_INTEL_MAX_VALUE) return NULL;
    if (pk == PK_URL) l = ioc_norm_url(s, n, buf, sizeof buf);
    else if (pk == PK_REG) l = ioc_norm_regkey(s, n, buf, sizeof buf);
    else if (pk == PK_DOMAIN || pk == PK_NETREF) l = ioc_norm_domain(s, n, buf, sizeof buf);
    if (!l) return NULL;
    char *o = sp_arena_alloc(&ps->p->a, l + 1);
    if (!o) return NULL;
    memcpy(o, buf, l);
    o[l] = 0;
    *nn = l;
    return o;
}

static void prep_lit(parser *ps, int pk, lit *l)
{
    if (l->t != L_STR) return;
    if ((pk == PK_IP || pk == PK_NETREF) && !ioc_parse_ip(l->s, l->n, 1, 0, &l->ip)) l->ip_ok = 1;
    l->norm = lnorm(ps, pk, l->s, l->n, &l->nn);
}

/* --------------------------------------------------------------- the parser */

static pnode *p_cor(parser *ps);

static pnode *p_cprim(parser *ps)
{
    if (++ps->depth > SP_STIX_MAX_DEPTH) {
        fail(ps, "pattern nested too deeply");
        return NULL;
    }
    pnode *r = NULL;
    if (ch(ps, '(')) {
        r = p_cor(ps);
        if (r && !ch(ps, ')')) {
            fail(ps, "expected )");
            r = NULL;
        }
        ps->depth--;
        return r;
    }
    pnode *t = node(ps, N_TEST);
    if (!t) return NULL;
    if (kw(ps, "EXISTS")) {
        t->op = OP_EXISTS;
        if (parse_path(ps, &t->path)) return NULL;
        t->pk = path_kind(t->path);
        ps->depth--;
        return t;
    }
    if (parse_path(ps, &t->path)) return NULL;
    t->pk = path_kind(t->path);
    if (kw(ps, "NOT")) t->neg = 1;
    ws(ps);
    const char *s = ps->s + ps->i;
    size_t rem = ps->n - ps->i;
    if (rem >= 2 && (!memcmp(s, "==", 2))) { t->op = OP_EQ; ps->i += 2; }
    else if (rem >= 2 && (!memcmp(s, "!=", 2) || !memcmp(s, "<>", 2))) { t->op = OP_NE; ps->i += 2; }
    else if (rem >= 2 && !memcmp(s, "<=", 2)) { t->op = OP_LE; ps->i += 2; }
    else if (rem >= 2 && !memcmp(s, ">=", 2)) { t->op = OP_GE; ps->i += 2; }
    else if (rem >= 1 && *s == '=') { t->op = OP_EQ; ps->i++; }
    else if (rem >= 1 && *s == '<') { t->op = OP_LT; ps->i++; }
    else if (rem >= 1 && *s == '>') { t->op = OP_GT; ps->i++; }
    else if (kw(ps, "IN")) t->op = OP_IN;
    else if (kw(ps, "LIKE")) t->op = OP_LIKE;
    else if (kw(ps, "MATCHES")) t->op = OP_MATCHES;
    else if (kw(ps, "ISSUBSET")) t->op = OP_SUBSET;
    else if (kw(ps, "ISSUPERSET")) t->op = OP_SUPERSET;
    else {
        fail(ps, "expected a comparison operator");
        return NULL;
    }
    if (t->op == OP_IN) {
        if (!ch(ps, '(')) {
            fail(ps, "expected ( after IN");
            return NULL;
        }
        size_t cap = 8;
        t->lits = sp_arena_alloc(&ps->p->a, cap * sizeof *t->lits);
        if (!t->lits) return NULL;
        do {
            if (t->nlits == cap) {
                if (cap >= 65536) {
                    fail(ps, "IN set too large");
                    return NULL;
                }
                lit *nl = sp_arena_alloc(&ps->p->a, cap * 2 * sizeof *nl);
                if (!nl) return NULL;
                memcpy(nl, t->lits, cap * sizeof *nl);
                t->lits = nl;
                cap *= 2;
            }
            if (parse_lit(ps, &t->lits[t->nlits])) return NULL;
            prep_lit(ps, t->pk, &t->lits[t->nlits]);
            t->nlits++;
        } while (ch(ps, ','));
        if (!ch(ps, ')')) {
            fail(ps, "expected ) closing the IN set");
            return NULL;
        }
    } else {
        t->lits = sp_arena_alloc(&ps->p->a, sizeof *t->lits);
        if (!t->lits || parse_lit(ps, t->lits)) return NULL;
        t->nlits = 1;
        lit *l = t->lits;
        if ((t->op == OP_LIKE || t->op == OP_MATCHES || t->op == OP_SUBSET || t->op == OP_SUPERSET) && l->t != L_STR) {
            fail(ps, "this operator takes a string");
            return NULL;
        }
        if ((t->op == OP_SUBSET || t->op == OP_SUPERSET)) {
            if (ioc_parse_ip(l->s, l->n, 1, 0, &l->ip)) {
                fail(ps, "ISSUBSET/ISSUPERSET need an IP address or CIDR");
                return NULL;
            }
            l->ip_ok = 1;
        } else if (t->op == OP_MATCHES) {
            int ec;
            PCRE2_SIZE eo;
            t->re = pcre2_compile((PCRE2_SPTR)l->s, l->n, 0, &ec, &eo, NULL);
            if (!t->re) {
                char m[128];
                pcre2_get_error_message(ec, (PCRE2_UCHAR *)m, sizeof m);
                char msg[200];
                snprintf(msg, sizeof msg, "invalid regular expression: %s", m);
                fail(ps, msg);
                return NULL;
            }
            sp_stix_pattern *p = ps->p;
            if (p->nres == p->cres) {
                size_t nc = p->cres ? p->cres * 2 : 4;
                pcre2_code **nr = realloc(p->res, nc * sizeof *nr);
                if (!nr) {
                    pcre2_code_free(t->re);
                    fail(ps, "out of memory");
                    return NULL;
                }
                p->res = nr;
                p->cres = nc;
            }
            p->res[p->nres++] = t->re;
        } else
            prep_lit(ps, t->pk, l);
    }
    ps->depth--;
    return t;
}

static pnode *p_cand(parser *ps)
{
    pnode *l = p_cprim(ps);
    while (l && kw(ps, "AND")) {
        pnode *r = p_cprim(ps), *n = r ? node(ps, N_CAND) : NULL;
        if (!n) return NULL;
        n->a = l;
        n->b = r;
        l = n;
    }
    return l;
}

static pnode *p_cor(parser *ps)
{
    pnode *l = p_cand(ps);
    while (l && kw(ps, "OR")) {
        pnode *r = p_cand(ps), *n = r ? node(ps, N_COR) : NULL;
        if (!n) return NULL;
        n->a = l;
        n->b = r;
        l = n;
    }
    return l;
}

static pnode *p_fby(parser *ps);

static int p_qualifiers(parser *ps, pnode *o)
{
    for (;;) {
        qual q = {0};
        if (kw(ps, "WITHIN")) {
            lit l;
            if (parse_lit(ps, &l)) return -1;
            if ((l.t != L_INT && l.t != L_FLOAT) || l.d <= 0) return fail(ps, "WITHIN needs a positive number");
            if (!kw(ps, "SECONDS")) return fail(ps, "expected SECONDS");
            q.t = Q_WITHIN;
            q.within = l.d;
        } else if (kw(ps, "REPEATS")) {
            lit l;
            if (parse_lit(ps, &l)) return -1;
            if (l.t != L_INT || l.d < 1 || l.d > 1e9) return fail(ps, "REPEATS needs a positive integer");
            if (!kw(ps, "TIMES")) return fail(ps, "expected TIMES");
            q.t = Q_REPEATS;
            q.repeats = (uint32_t)l.d;
        } else if (kw(ps, "START")) {
            lit a, b;
            if (parse_lit(ps, &a) || a.t != L_TS) return fail(ps, "START needs a t'...' timestamp");
            if (!kw(ps, "STOP")) return fail(ps, "expected STOP");
            if (parse_lit(ps, &b) || b.t != L_TS) return fail(ps, "STOP needs a t'...' timestamp");
            q.t = Q_STARTSTOP;
            q.start = a.ms;
            q.stop = b.ms;
        } else
            return 0;
        if (o->nq >= 4) return fail(ps, "too many qualifiers");
        o->q[o->nq++] = q;
    }
}

static pnode *p_oqual(parser *ps)
{
    if (++ps->depth > SP_STIX_MAX_DEPTH) {
        fail(ps, "pattern nested too deeply");
        return NULL;
    }
    pnode *o = NULL;
    if (ch(ps, '[')) {
        o = node(ps, N_OBS);
        if (!o) return NULL;
        o->a = p_cor(ps);
        if (!o->a) return NULL;
        if (!ch(ps, ']')) {
            fail(ps, "expected ]");
            return NULL;
        }
    } else if (ch(ps, '(')) {
        pnode *in = p_fby(ps);
        if (!in) return NULL;
        if (!ch(ps, ')')) {
            fail(ps, "expected )");
            return NULL;
        }
        /* a wrapper OR node with one child keeps its own qualifiers */
        o = node(ps, N_OOR);
        if (!o) return NULL;
        o->a = in;
    } else {
        fail(ps, "expected [ or (");
        return NULL;
    }
    if (p_qualifiers(ps, o)) return NULL;
    ps->depth--;
    return o;
}

static pnode *p_oand(parser *ps)
{
    pnode *l = p_oqual(ps);
    while (l && kw(ps, "AND")) {
        pnode *r = p_oqual(ps), *n = r ? node(ps, N_OAND) : NULL;
        if (!n) return NULL;
        n->a = l;
        n->b = r;
        l = n;
    }
    return l;
}

static pnode *p_oor(parser *ps)
{
    pnode *l = p_oand(ps);
    while (l && kw(ps, "OR")) {
        pnode *r = p_oand(ps), *n = r ? node(ps, N_OOR) : NULL;
        if (!n) return NULL;
        n->a = l;
        n->b = r;
        l = n;
    }
    return l;
}

static pnode *p_fby(parser *ps)
{
    pnode *l = p_oor(ps);
    while (l && kw(ps, "FOLLOWEDBY")) {
        pnode *r = p_oor(ps), *n = r ? node(ps, N_FBY) : NULL;
        if (!n) return NULL;
        n->a = l;
        n->b = r;
        l = n;
    }
    return l;
}

sp_status sp_stix_pattern_compile(const char *text, size_t len, sp_stix_pattern **out, sp_error *err)
{
    *out = NULL;
    if (err) {
        memset(err, 0, sizeof *err);
        err->offset = UINT64_MAX;
    }
    if (!text || len > SP_STIX_MAX_PATTERN) {
        if (err) snprintf(err->msg, sizeof err->msg, "pattern missing or longer than %u bytes", (unsigned)SP_STIX_MAX_PATTERN);
        return text ? SP_ERR_LIMIT : SP_ERR_ARG;
    }
    sp_stix_pattern *p = calloc(1, sizeof *p);
    if (!p) return SP_ERR_NOMEM;
    sp_arena_init(&p->a, 4096);
    parser ps = {text, len, 0, p, 0, "", 0};
    p->root = p_fby(&ps);
    ws(&ps);
    if (p->root && ps.i != ps.n) {
        fail(&ps, "unexpected text after the pattern");
        p->root = NULL;
    }
    if (!p->root) {
        if (err) {
            snprintf(err->msg, sizeof err->msg, "%s", ps.err[0] ? ps.err : "invalid pattern");
            err->offset = ps.err_off;
        }
        sp_stix_pattern_free(p);
        return SP_ERR_FORMAT;
    }
    *out = p;
    return SP_OK;
}

void sp_stix_pattern_free(sp_stix_pattern *p)
{
    if (!p) return;
    for (size_t i = 0; i < p->nres; i++) pcre2_code_free(p->res[i]);
    free(p->res);
    sp_arena_fini(&p->a);
    free(p);
}

/* ------------------------------------------------------------- comparisons */

static int num_of(const char *s, size_t n, double *d)
{
    char t[64];
    if (!n || n >= sizeof t) return -1;
    memcpy(t, s, n);
    t[n] = 0;
    char *e;
    *d = strtod(t, &e);
    return *e ? -1 : 0;
}

static int case_insensitive(int pk) { return pk == PK_HASH || pk == PK_DOMAIN || pk == PK_NAME || pk == PK_NETREF; }

static int like_match(const char *p, size_t pn, const char *s, size_t sn, int ci)
{
    size_t pi = 0, si = 0, star = (size_t)-1, mark = 0;
    unsigned long steps = 0;
    while (si < sn) {
        if (++steps > SP_INTEL_MAX_GLOB_STEPS) return 0;
        int pc = pi < pn ? (unsigned char)p[pi] : -1, sc = (unsigned char)s[si];
        if (pi < pn && pc != '%' &&
            (pc == '_' || pc == sc || (ci && tolower(pc) == tolower(sc)))) {
            pi++;
            si++;
        } else if (pi < pn && pc == '%') {
            star = pi++;
            mark = si;
        } else if (star != (size_t)-1) {
            pi = star + 1;
            si = ++mark;
        } else
            return 0;
    }
    while (pi < pn && p[pi] == '%') pi++;
    return pi == pn;
}

static int ip_within(const ioc_ip *inner, const ioc_ip *outer)
{
    if (inner->v6 != outer->v6) return 0;
    unsigned ip = inner->v6 ? inner->prefix : inner->prefix + 96u, op = outer->v6 ? outer->prefix : outer->prefix + 96u;
    if (ip < op) return 0;
    for (unsigned i = 0; i < op; i++) {
        unsigned bi = i / 8, m = 0x80u >> (i % 8);
        if ((inner->b[bi] & m) != (outer->b[bi] & m)) return 0;
    }
    return 1;
}

static int eq_value(const pnode *t, const lit *l, const char *v, size_t n)
{
    switch (l->t) {
    case L_INT:
    case L_FLOAT: {
        double d;
        return !num_of(v, n, &d) && d == l->d;
    }
    case L_BOOL:
        return (n == 4 && !strncasecmp(v, "true", 4) && l->d) || (n == 5 && !strncasecmp(v, "false", 5) && !l->d) ||
               (n == 1 && ((*v == '1' && l->d) || (*v == '0' && !l->d)));
    case L_TS: {
        int64_t ms;
        return !sp_parse_iso_ms(v, n, &ms) && ms == l->ms;
    }
    case L_BIN: return n == l->n && !memcmp(v, l->s, n);
    default: break;
    }
    if (l->ip_ok) {
        ioc_ip ip;
        if (!ioc_parse_ip(v, n, 1, 1, &ip))
            return ip.v6 == l->ip.v6 && ip.prefix == l->ip.prefix && !memcmp(ip.b, l->ip.b, 16);
        if (t->pk == PK_IP) return 0;
    }
    if (l->norm) {
        char buf[SP_INTEL_MAX_VALUE + 16];
        size_t bl = 0;
        if (n <= SP_INTEL_MAX_VALUE) {
            if (t->pk == PK_URL) bl = ioc_norm_url(v, n, buf, sizeof buf);
            else if (t->pk == PK_REG) bl = ioc_norm_regkey(v, n, buf, sizeof buf);
            else bl = ioc_norm_domain(v, n, buf, sizeof buf);
        }
        if (bl) return bl == l->nn && !memcmp(buf, l->norm, bl);
    }
    if (t->pk == PK_REG) return n == l->n && !strncasecmp(v, l->s, n);
    if (case_insensitive(t->pk)) return n == l->n && !strncasecmp(v, l->s, n);
    return n == l->n && !memcmp(v, l->s, n);
}

static int order_value(const pnode *t, const lit *l, const char *v, size_t n)
{
    int c;
    if (l->t == L_INT || l->t == L_FLOAT) {
        double d;
        if (num_of(v, n, &d)) return 0;
        c = d < l->d ? -1 : d > l->d;
    } else if (l->t == L_TS) {
        int64_t ms;
        if (sp_parse_iso_ms(v, n, &ms)) return 0;
        c = ms < l->ms ? -1 : ms > l->ms;
    } else if (l->t == L_STR || l->t == L_BIN) {
        size_t m = n < l->n ? n : l->n;
        c = memcmp(v, l->s, m);
        if (!c) c = n < l->n ? -1 : n > l->n;
    } else
        return 0;
    switch (t->op) {
    case OP_LT: return c < 0;
    case OP_LE: return c <= 0;
    case OP_GT: return c > 0;
    case OP_GE: return c >= 0;
    default: return 0;
    }
}

static int test_value(const pnode *t, const char *v, size_t n)
{
    const lit *l = t->lits;
    switch (t->op) {
    case OP_EQ: return eq_value(t, l, v, n);
    case OP_NE: return !eq_value(t, l, v, n);
    case OP_IN:
        for (size_t i = 0; i < t->nlits; i++)
            if (eq_value(t, &t->lits[i], v, n)) return 1;
        return 0;
    case OP_LT:
    case OP_LE:
    case OP_GT:
    case OP_GE: return order_value(t, l, v, n);
    case OP_LIKE: return like_match(l->s, l->n, v, n, case_insensitive(t->pk) || t->pk == PK_REG);
    case OP_MATCHES: {
        pcre2_match_data *md = pcre2_match_data_create(1, NULL);
        pcre2_match_context *mc = pcre2_match_context_create(NULL);
        if (!md || !mc) {
            pcre2_match_data_free(md);
            pcre2_match_context_free(mc);
            return 0;
        }
        pcre2_set_match_limit(mc, SP_STIX_RE_MATCH_LIMIT);
        int rc = pcre2_match(t->re, (PCRE2_SPTR)v, n, 0, 0, md, mc);
        pcre2_match_data_free(md);
        pcre2_match_context_free(mc);
        return rc >= 0;
    }
    case OP_SUBSET:
    case OP_SUPERSET: {
        ioc_ip ip;
        if (ioc_parse_ip(v, n, 1, 1, &ip)) return 0;
        return t->op == OP_SUBSET ? ip_within(&ip, &l->ip) : ip_within(&l->ip, &ip);
    }
    case OP_EXISTS: return 1;
    default: return 0;
    }
}

static int path_eq(const char *canon, const char *raw)
{
    if (!strcmp(canon, raw)) return 1;
    char buf[1024];
    size_t l = canon_path(raw, strlen(raw), buf, sizeof buf);
    return l && !strcmp(canon, buf);
}

static int eval_cmp(const pnode *nd, const sp_observation *o)
{
    switch (nd->kind) {
    case N_COR: return eval_cmp(nd->a, o) || eval_cmp(nd->b, o);
    case N_CAND: return eval_cmp(nd->a, o) && eval_cmp(nd->b, o);
    case N_TEST:
        for (size_t i = 0; i < o->n; i++) {
            const sp_obs_value *v = &o->values[i];
            if (!v->path || !path_eq(nd->path, v->path)) continue;
            if (test_value(nd, v->value, v->len) != nd->neg) return 1;
        }
        return 0;
    default: return 0;
    }
}

/* ---------------------------------------------------- observation matching */

typedef struct mt {
    int64_t t1, t2;
    uint64_t cnt;
    int known;
} mt;

typedef struct mlist {
    mt *m;
    size_t n, cap;
} mlist;

static void ml_add(mlist *l, mt x)
{
    if (l->n >= SP_STIX_MAX_MATCHES) return;
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 8;
        mt *nm = realloc(l->m, nc * sizeof *nm);
        if (!nm) return;
        l->m = nm;
        l->cap = nc;
    }
    l->m[l->n++] = x;
}

static int mt_cmp(const void *a, const void *b)
{
    const mt *x = a, *y = b;
    return x->t1 < y->t1 ? -1 : x->t1 > y->t1;
}

static void apply_quals(const pnode *nd, mlist *l)
{
    for (int qi = 0; qi < nd->nq; qi++) {
        const qual *q = &nd->q[qi];
        size_t k = 0;
        if (q->t == Q_WITHIN) {
            for (size_t i = 0; i < l->n; i++)
                if (l->m[i].known && (double)(l->m[i].t2 - l->m[i].t1) <= q->within * 1000.0) l->m[k++] = l->m[i];
            l->n = k;
        } else if (q->t == Q_STARTSTOP) {
            for (size_t i = 0; i < l->n; i++)
                if (l->m[i].known && l->m[i].t1 >= q->start && l->m[i].t2 < q->stop) l->m[k++] = l->m[i];
            l->n = k;
        } else if (q->t == Q_REPEATS) {
            /* windows of consecutive matches (by first time) whose counts reach the number */
            if (l->n > 1) qsort(l->m, l->n, sizeof *l->m, mt_cmp);
            mlist r = {0};
            for (size_t i = 0; i < l->n; i++) {
                uint64_t c = 0;
                mt w = l->m[i];
                for (size_t j = i; j < l->n; j++) {
                    c += l->m[j].cnt;
                    if (l->m[j].t2 > w.t2) w.t2 = l->m[j].t2;
                    w.known = w.known && l->m[j].known;
                    if (c >= q->repeats) {
                        w.cnt = c;
                        ml_add(&r, w);
                        break;
                    }
                }
            }
            free(l->m);
            *l = r;
        }
    }
}

static mlist eval_obs(const pnode *nd, const sp_observation *obs, size_t n)
{
    mlist r = {0};
    switch (nd->kind) {
    case N_OBS:
        for (size_t i = 0; i < n; i++)
            if (eval_cmp(nd->a, &obs[i])) {
                mt x = {obs[i].time_ms, obs[i].last_ms >= obs[i].time_ms ? obs[i].last_ms : obs[i].time_ms,
                        obs[i].count ? obs[i].count : 1, obs[i].time_ms != INT64_MIN};
                ml_add(&r, x);
            }
        break;
    case N_OOR: {
        mlist a = eval_obs(nd->a, obs, n);
        if (nd->b) {
            mlist b = eval_obs(nd->b, obs, n);
            for (size_t i = 0; i < b.n; i++) ml_add(&a, b.m[i]);
            free(b.m);
        }
        r = a;
        break;
    }
    case N_OAND:
    case N_FBY: {
        mlist a = eval_obs(nd->a, obs, n);
        mlist b = a.n ? eval_obs(nd->b, obs, n) : (mlist){0};
        for (size_t i = 0; i < a.n && r.n < SP_STIX_MAX_MATCHES; i++)
            for (size_t j = 0; j < b.n && r.n < SP_STIX_MAX_MATCHES; j++) {
                const mt *x = &a.m[i], *y = &b.m[j];
                int known = x->known && y->known;
                if (nd->kind == N_FBY && (!known || x->t2 > y->t1)) continue;
                mt z = {x->t1 < y->t1 ? x->t1 : y->t1, x->t2 > y->t2 ? x->t2 : y->t2, x->cnt + y->cnt, known};
                ml_add(&r, z);
            }
        free(a.m);
        free(b.m);
        break;
    }
    default: break;
    }
    apply_quals(nd, &r);
    return r;
}

static int single(const pnode *nd);

/* one observation, a pattern one observation can satisfy: no lists */
static int eval_single(const pnode *nd, const sp_observation *o)
{
    int ok;
    if (nd->kind == N_OBS) ok = eval_cmp(nd->a, o);
    else if (nd->kind == N_OOR) ok = eval_single(nd->a, o) || (nd->b && eval_single(nd->b, o));
    else return 0;
    int64_t t1 = o->time_ms, t2 = o->last_ms >= o->time_ms ? o->last_ms : o->time_ms;
    for (int i = 0; ok && i < nd->nq; i++) {
        const qual *q = &nd->q[i];
        if (q->t == Q_STARTSTOP) ok = t1 != INT64_MIN && t1 >= q->start && t2 < q->stop;
        else if (q->t == Q_WITHIN) ok = t1 != INT64_MIN && (double)(t2 - t1) <= q->within * 1000.0;
        else if (q->t == Q_REPEATS) ok = (o->count ? o->count : 1) >= q->repeats;
    }
    return ok;
}

int sp_stix_pattern_match(const sp_stix_pattern *p, const sp_observation *obs, size_t n)
{
    if (!p || !p->root || !obs || !n) return 0;
    if (n == 1 && single(p->root)) return eval_single(p->root, obs);
    mlist r = eval_obs(p->root, obs, n);
    int ok = r.n > 0;
    free(r.m);
    return ok;
}

static int single(const pnode *nd)
{
    for (int i = 0; i < nd->nq; i++)
        if (nd->q[i].t == Q_REPEATS && nd->q[i].repeats > 1) return 0;
    if (nd->kind == N_OBS) return 1;
    if (nd->kind == N_OOR) return single(nd->a) && (!nd->b || single(nd->b));
    return 0;
}

int sp_stix_pattern_single(const sp_stix_pattern *p) { return p && p->root && single(p->root); }

/* ------------------------------------------------------- loader support */

static sp_ioc_type indexable(const pnode *t, const lit *l)
{
    if (l->t != L_STR) return SP_IOC_NONE;
    const char *p = t->path;
    if (t->pk == PK_IP || t->pk == PK_NETREF) {
        if (!l->ip_ok) return SP_IOC_NONE;
        return l->ip.v6 ? SP_IOC_IPV6 : SP_IOC_IPV4;
    }
    if (t->op == OP_SUBSET) return SP_IOC_NONE;
    if (!strcmp(p, "domain-name:value")) return SP_IOC_DOMAIN;
    if (!strcmp(p, "url:value")) return SP_IOC_URL;
    if (!strcmp(p, "file:hashes.MD5")) return SP_IOC_MD5;
    if (!strcmp(p, "file:hashes.SHA-1")) return SP_IOC_SHA1;
    if (!strcmp(p, "file:hashes.SHA-256")) return SP_IOC_SHA256;
    if (!strcmp(p, "file:extensions.windows-pebinary-ext.imphash")) return SP_IOC_IMPHASH;
    if (!strcmp(p, "file:name")) return SP_IOC_FILENAME;
    if (!strcmp(p, "windows-registry-key:key")) return SP_IOC_REGKEY;
    if (!strcmp(p, "mutex:name")) return SP_IOC_MUTEX;
    return SP_IOC_NONE;
}

static int simple_cmp(const pnode *nd, int emit, stix_simple_fn fn, void *user)
{
    if (nd->kind == N_COR) return simple_cmp(nd->a, emit, fn, user) && simple_cmp(nd->b, emit, fn, user);
    if (nd->kind != N_TEST || nd->neg) return 0;
    if (nd->op != OP_EQ && nd->op != OP_IN && !(nd->op == OP_SUBSET && (nd->pk == PK_IP || nd->pk == PK_NETREF)))
        return 0;
    for (size_t i = 0; i < nd->nlits; i++) {
        sp_ioc_type ty = indexable(nd, &nd->lits[i]);
        if (ty == SP_IOC_NONE) return 0;
        if (ty == SP_IOC_FILENAME && (memchr(nd->lits[i].s, '*', nd->lits[i].n) || memchr(nd->lits[i].s, '?', nd->lits[i].n)))
            return 0;   /* a literal '*' in a STIX name is not a wildcard */
        if (emit && fn(user, ty, nd->lits[i].s, nd->lits[i].n)) return 0;
    }
    return 1;
}

static int simple_obs(const pnode *nd, int emit, stix_simple_fn fn, void *user)
{
    if (nd->nq) return 0;
    if (nd->kind == N_OBS) return simple_cmp(nd->a, emit, fn, user);
    if (nd->kind == N_OOR) return simple_obs(nd->a, emit, fn, user) && (!nd->b || simple_obs(nd->b, emit, fn, user));
    return 0;
}

int stix_pattern_simple(const sp_stix_pattern *p, stix_simple_fn fn, void *user)
{
    if (!p || !p->root || !simple_obs(p->root, 0, fn, user)) return 0;
    return simple_obs(p->root, 1, fn, user);
}

static const char *const observable[] = {
    "ipv4-addr:value", "ipv6-addr:value", "domain-name:value", "url:value", "file:hashes.MD5", "file:hashes.SHA-1",
    "file:hashes.SHA-256", "file:extensions.windows-pebinary-ext.imphash", "file:name",
    "file:parent_directory_ref.path", "process:command_line", "process:image_ref.name", "windows-registry-key:key",
    "mutex:name", "network-traffic:src_ref.value", "network-traffic:dst_ref.value", "network-traffic:src_port",
    "network-traffic:dst_port",
};

static const char *unobs(const pnode *nd)
{
    if (!nd) return NULL;
    if (nd->kind == N_TEST) {
        for (size_t i = 0; i < sizeof observable / sizeof *observable; i++)
            if (!strcmp(nd->path, observable[i])) return NULL;
        return nd->path;
    }
    const char *r = unobs(nd->a);
    return r ? r : unobs(nd->b);
}

const char *stix_pattern_unobservable(const sp_stix_pattern *p) { return p ? unobs(p->root) : NULL; }
