/*
 * sigma_yaml.c — libyaml's event stream -> an immutable ynode tree.
 *
 * Bounded: nesting (SP_SIGMA_MAX_YAML_DEPTH), node count
 * (SP_SIGMA_MAX_YAML_NODES), documents (SP_SIGMA_MAX_DOCS).  Aliases point
 * at the finished anchored node (an alias to a collection still open is an
 * error), so the tree is a DAG without cycles; consumers bound the work they
 * do on it.  All nodes and strings are allocated in the caller's arena.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "sigma/sigma.h"

typedef struct frame {
    ynode *node;
    ynode **kids;            /* malloc'd while open */
    uint32_t n, cap;
    char *anchor;
} frame;

typedef struct anchor { char *name; ynode *node; } anchor;

typedef struct pctx {
    sp_arena *ar;
    frame st[SP_SIGMA_MAX_YAML_DEPTH + 1];
    int depth;
    anchor *anc;
    uint32_t nanc, cap_anc;
    uint32_t nodes;
    ynode **docs;
    uint32_t ndocs, cap_docs;
    ynode *cur_doc;
} pctx;

static int push_kid(frame *f, ynode *k)
{
    if (f->n == f->cap) {
        uint32_t nc = f->cap ? f->cap * 2 : 8;
        ynode **nk = realloc(f->kids, nc * sizeof *nk);
        if (!nk) return -1;
        f->kids = nk;
        f->cap = nc;
    }
    f->kids[f->n++] = k;
    return 0;
}

static int add_anchor(pctx *p, const char *name, ynode *n)
{
    if (!name) return 0;
    if (p->nanc == p->cap_anc) {
        uint32_t nc = p->cap_anc ? p->cap_anc * 2 : 8;
        anchor *na = realloc(p->anc, nc * sizeof *na);
        if (!na) return -1;
        p->anc = na;
        p->cap_anc = nc;
    }
    p->anc[p->nanc].name = sg_strdup(p->ar, name, strlen(name));
    p->anc[p->nanc].node = n;
    if (!p->anc[p->nanc].name) return -1;
    p->nanc++;
    return 0;
}

/* attach a finished node to its parent (or make it the document root) */
static int attach(pctx *p, ynode *n)
{
    if (p->depth == 0) {
        p->cur_doc = n;
        return 0;
    }
    return push_kid(&p->st[p->depth - 1], n);
}

static ynode *new_node(pctx *p, uint8_t kind, uint32_t line)
{
    if (++p->nodes > SP_SIGMA_MAX_YAML_NODES) return NULL;
    ynode *n = sp_arena_zalloc(p->ar, sizeof *n);
    if (n) { n->kind = kind; n->line = line; }
    return n;
}

int sy_parse(sp_arena *ar, const char *text, size_t len, ydocs *out, char *msg, size_t msgcap)
{
    yaml_parser_t ps;
    yaml_event_t ev;
    pctx p;
    int rc = -1, done = 0;
    memset(&p, 0, sizeof p);
    p.ar = ar;
    out->doc = NULL;
    out->n = 0;
    msg[0] = 0;
    if (!yaml_parser_initialize(&ps)) { snprintf(msg, msgcap, "out of memory"); return -1; }
    yaml_parser_set_input_string(&ps, (const unsigned char *)text, len);
    while (!done) {
        if (!yaml_parser_parse(&ps, &ev)) {
            snprintf(msg, msgcap, "YAML error at line %lu: %s%s%s",
                     (unsigned long)ps.problem_mark.line + 1, ps.problem ? ps.problem : "syntax error",
                     ps.context ? " " : "", ps.context ? ps.context : "");
            goto out;
        }
        uint32_t line = (uint32_t)ev.start_mark.line + 1;
        int bad = 0;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        case YAML_DOCUMENT_START_EVENT:
            p.cur_doc = NULL;
            break;
        case YAML_DOCUMENT_END_EVENT:
            if (p.ndocs >= SP_SIGMA_MAX_DOCS) { snprintf(msg, msgcap, "more than %d YAML documents", SP_SIGMA_MAX_DOCS); bad = 1; break; }
            if (p.ndocs == p.cap_docs) {
                uint32_t nc = p.cap_docs ? p.cap_docs * 2 : 4;
                ynode **nd = realloc(p.docs, nc * sizeof *nd);
                if (!nd) { snprintf(msg, msgcap, "out of memory"); bad = 1; break; }
                p.docs = nd;
                p.cap_docs = nc;
            }
            p.docs[p.ndocs++] = p.cur_doc;   /* may be NULL: empty document */
            break;
        case YAML_SCALAR_EVENT: {
            ynode *n = new_node(&p, YN_SCALAR, line);
            if (!n) { snprintf(msg, msgcap, "more than %d YAML nodes", SP_SIGMA_MAX_YAML_NODES); bad = 1; break; }
            n->s = sg_strdup(ar, (const char *)ev.data.scalar.value, ev.data.scalar.length);
            n->len = ev.data.scalar.length;
            n->quoted = ev.data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
                        (ev.data.scalar.tag && strcmp((const char *)ev.data.scalar.tag, "!") &&
                         !strstr((const char *)ev.data.scalar.tag, ":null") &&
                         !strstr((const char *)ev.data.scalar.tag, ":int") &&
                         !strstr((const char *)ev.data.scalar.tag, ":bool"));
            if (!n->s || add_anchor(&p, (const char *)ev.data.scalar.anchor, n) || attach(&p, n)) {
                snprintf(msg, msgcap, "out of memory"); bad = 1;
            }
            break;
        }
        case YAML_ALIAS_EVENT: {
            ynode *t = NULL;
            for (uint32_t i = p.nanc; i-- > 0;)
                if (!strcmp(p.anc[i].name, (const char *)ev.data.alias.anchor)) { t = p.anc[i].node; break; }
            if (!t) { snprintf(msg, msgcap, "YAML error at line %u: unknown or unfinished anchor '%.60s'", line, (const char *)ev.data.alias.anchor); bad = 1; break; }
            if (++p.nodes > SP_SIGMA_MAX_YAML_NODES || attach(&p, t)) { snprintf(msg, msgcap, "too many YAML nodes"); bad = 1; }
            break;
        }
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
            if (p.depth >= SP_SIGMA_MAX_YAML_DEPTH) { snprintf(msg, msgcap, "YAML nested deeper than %d at line %u", SP_SIGMA_MAX_YAML_DEPTH, line); bad = 1; break; }
            ynode *n = new_node(&p, ev.type == YAML_SEQUENCE_START_EVENT ? YN_SEQ : YN_MAP, line);
            if (!n) { snprintf(msg, msgcap, "more than %d YAML nodes", SP_SIGMA_MAX_YAML_NODES); bad = 1; break; }
            frame *f = &p.st[p.depth++];
            memset(f, 0, sizeof *f);
            f->node = n;
            const yaml_char_t *a = ev.type == YAML_SEQUENCE_START_EVENT ? ev.data.sequence_start.anchor : ev.data.mapping_start.anchor;
            if (a) { f->anchor = strdup((const char *)a); if (!f->anchor) { snprintf(msg, msgcap, "out of memory"); bad = 1; } }
            break;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: {
            if (p.depth == 0) { bad = 1; snprintf(msg, msgcap, "YAML structure error"); break; }
            frame *f = &p.st[--p.depth];
            ynode *n = f->node;
            if (n->kind == YN_MAP && (f->n & 1)) { snprintf(msg, msgcap, "YAML error at line %u: odd mapping", n->line); bad = 1; }
            else {
                n->n = n->kind == YN_MAP ? f->n / 2 : f->n;
                if (f->n) {
                    n->kid = sp_arena_alloc(ar, f->n * sizeof *n->kid);
                    if (n->kid) memcpy(n->kid, f->kids, f->n * sizeof *n->kid);
                    else bad = 1;
                }
                if (!bad && (add_anchor(&p, f->anchor, n) || attach(&p, n))) bad = 1;
                if (bad && !msg[0]) snprintf(msg, msgcap, "out of memory");
            }
            free(f->kids);
            free(f->anchor);
            f->kids = NULL;
            f->anchor = NULL;
            break;
        }
        default:
            break;
        }
        yaml_event_delete(&ev);
        if (bad) goto out;
    }
    out->n = p.ndocs;
    if (p.ndocs) {
        out->doc = sp_arena_alloc(ar, p.ndocs * sizeof *out->doc);
        if (!out->doc) { snprintf(msg, msgcap, "out of memory"); goto out; }
        memcpy(out->doc, p.docs, p.ndocs * sizeof *out->doc);
    }
    rc = 0;
out:
    while (p.depth > 0) {
        frame *f = &p.st[--p.depth];
        free(f->kids);
        free(f->anchor);
    }
    free(p.anc);
    free(p.docs);
    yaml_parser_delete(&ps);
    return rc;
}

const ynode *sy_get(const ynode *map, const char *key)
{
    if (!map || map->kind != YN_MAP) return NULL;
    size_t kl = strlen(key);
    for (uint32_t i = 0; i < map->n; i++) {
        const ynode *k = map->kid[2 * i];
        if (k->kind == YN_SCALAR && k->len == kl && !memcmp(k->s, key, kl)) return map->kid[2 * i + 1];
    }
    return NULL;
}

int sy_is_null(const ynode *n)
{
    if (!n) return 1;
    if (n->kind != YN_SCALAR || n->quoted) return 0;
    return n->len == 0 || !strcmp(n->s, "~") || !strcmp(n->s, "null") || !strcmp(n->s, "Null") ||
           !strcmp(n->s, "NULL");
}

int sy_is_str(const ynode *n) { return n && n->kind == YN_SCALAR; }

int sy_int(const ynode *n, int64_t *out)
{
    if (!n || n->kind != YN_SCALAR || n->quoted || n->len == 0 || n->len > 19) return 0;
    const char *s = n->s;
    size_t i = 0;
    int neg = 0;
    if (s[0] == '-' || s[0] == '+') { neg = s[0] == '-'; i = 1; }
    if (i >= n->len || n->len - i > 18) return 0; /* 18 digits cannot overflow */
    int64_t v = 0;
    for (; i < n->len; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = neg ? -v : v;
    return 1;
}

int sy_bool(const ynode *n, int *out)
{
    if (!n || n->kind != YN_SCALAR || n->quoted) return 0;
    static const char *t[] = {"true", "True", "TRUE", "yes", "Yes", "YES"};
    static const char *f[] = {"false", "False", "FALSE", "no", "No", "NO"};
    for (size_t i = 0; i < 6; i++) {
        if (!strcmp(n->s, t[i])) { *out = 1; return 1; }
        if (!strcmp(n->s, f[i])) { *out = 0; return 1; }
    }
    return 0;
}

char *sg_strdup(sp_arena *ar, const char *s, size_t n)
{
    char *o = sp_arena_alloc(ar, n + 1);
    if (!o) return NULL;
    if (n) memcpy(o, s, n);
    o[n] = 0;
    return o;
}

void sg_lower(char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) s[i] = (char)sg_lc((unsigned char)s[i]);
}
