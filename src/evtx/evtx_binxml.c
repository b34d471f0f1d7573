/*
 * evtx_binxml.c — Binary XML fragments to node trees.
 *
 * A record's body is a BinXML fragment, normally a fragment header and one
 * template instance: a reference to a template definition (an XML skeleton
 * with numbered substitution slots, stored once per chunk) followed by the
 * record's substitution values.  Template definitions are parsed once per
 * chunk into a node tree and cached by their chunk offset; a record then
 * costs one pass over its value descriptors.  Substitution values of type
 * BinXml hold nested fragments and are parsed into the record arena.
 *
 * Every read is bounds-checked against the chunk; nesting and node counts are
 * bounded (limits.h); a template that refers to itself is detected.
 * Errors set c->err and return -1; nothing is printed.
 */
#include "evtx_int.h"

#include <stdio.h>
#include <stdatomic.h>
#include <string.h>

#include <stdarg.h>

/* record a parse error in c->err; returns -1 so callers can `return PERR(...)` */
__attribute__((format(printf, 2, 3)))
static int PERR(bx_chunk *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
    return -1;
}

/* The scratch buffers are given room at once, on the calling thread (see
 * sp_arena_reserve); -1 when out of memory. */
int bx_chunk_init(bx_chunk *c)
{
    memset(c, 0, sizeof *c);
    sp_buf_init(&c->scratch);
    sp_buf_init(&c->keys);
    return sp_buf_grow(&c->scratch, 4096) || sp_buf_grow(&c->keys, 4096) ? -1 : 0;
}

void bx_chunk_fini(bx_chunk *c) { sp_buf_fini(&c->scratch); sp_buf_fini(&c->keys); }

/* Start a new chunk: the caches live in the chunk arena, which the caller
 * has just reset. */
static _Atomic uint64_t chunk_gens = 1;

void bx_chunk_begin(bx_chunk *c, const uint8_t *base, uint32_t size)
{
    c->gen = atomic_fetch_add_explicit(&chunk_gens, 1, memory_order_relaxed);
    c->base = base;
    c->size = size;
    c->names_cap = 256;
    c->names_n = 0;
    c->names = sp_arena_zalloc(c->carena, c->names_cap * sizeof *c->names);
    c->tmpls_cap = 64;
    c->tmpls_n = 0;
    c->tmpls = sp_arena_zalloc(c->carena, c->tmpls_cap * sizeof *c->tmpls);
    if (!c->names || !c->tmpls) c->names_cap = c->tmpls_cap = 0;
}

static inline uint32_t hash_off(uint32_t off) { return (off * 2654435761u) >> 7; }

/* Name structure at chunk offset `off`: next-offset(4) hash(2) count(2)
 * UTF-16 chars, NUL(2).  Decoded once per chunk. */
static int name_at(bx_chunk *c, uint32_t off, const char **s, uint16_t *len)
{
    if (c->names_cap) {
        uint32_t m = c->names_cap - 1, i = hash_off(off) & m;
        for (; c->names[i].s; i = (i + 1) & m)
            if (c->names[i].off == off) {
                *s = c->names[i].s;
                *len = c->names[i].len;
                return 0;
            }
    }
    if ((uint64_t)off + 8 > c->size) return PERR(c, "name offset 0x%x outside the chunk", off);
    uint16_t n = sp_le16(c->base + off + 6);
    if ((uint64_t)off + 8 + 2u * n > c->size) return PERR(c, "name at 0x%x runs past the chunk", off);
    sp_buf_reset(&c->scratch);
    sp_utf16_to_utf8(&c->scratch, c->base + off + 8, n, 1);
    if (c->scratch.failed) return PERR(c, "out of memory");
    size_t l = c->scratch.len > 0xffff ? 0xffff : c->scratch.len;
    char *p = sp_arena_alloc(c->carena, l + 1);
    if (!p) return PERR(c, "out of memory");
    if (l) memcpy(p, c->scratch.p, l);
    p[l] = 0;
    *s = p;
    *len = (uint16_t)l;
    if (c->names_cap) {
        if ((c->names_n + 1) * 2 > c->names_cap) {
            /* grow */
            uint32_t ncap = c->names_cap * 2;
            struct name_slot *ns = sp_arena_zalloc(c->carena, ncap * sizeof *ns);
            if (!ns) return 0; /* cache is an optimisation */
            for (uint32_t i = 0; i < c->names_cap; i++)
                if (c->names[i].s) {
                    uint32_t j = hash_off(c->names[i].off) & (ncap - 1);
                    while (ns[j].s) j = (j + 1) & (ncap - 1);
                    ns[j] = c->names[i];
                }
            c->names = ns;
            c->names_cap = ncap;
        }
        uint32_t m = c->names_cap - 1, i = hash_off(off) & m;
        while (c->names[i].s) i = (i + 1) & m;
        c->names[i].off = off;
        c->names[i].s = p;
        c->names[i].len = (uint16_t)l;
        c->names_n++;
    }
    return 0;
}

/* Read a name reference at *pos (a 4-byte chunk offset).  When the name is
 * stored inline right there, step over it. */
static int name_ref(bx_chunk *c, uint32_t *pos, uint32_t end, const char **s, uint16_t *len)
{
    if ((uint64_t)*pos + 4 > end) return PERR(c, "truncated name reference at 0x%x", *pos);
    uint32_t off = sp_le32(c->base + *pos);
    *pos += 4;
    if (name_at(c, off, s, len)) return -1;
    if (off == *pos) {
        uint16_t n = sp_le16(c->base + off + 6);
        uint64_t np = (uint64_t)off + 8 + 2u * n + 2;
        if (np > end) return PERR(c, "inline name at 0x%x runs past its fragment", off);
        *pos = (uint32_t)np;
    }
    return 0;
}

static bx_node *new_node(bx_chunk *c, sp_arena *a, uint8_t kind)
{
    if (++c->nodes > SP_MAX_NODES_PER_RECORD) {
        PERR(c, "more than %u XML nodes in one record", (unsigned)SP_MAX_NODES_PER_RECORD);
        return NULL;
    }
    bx_node *n = sp_arena_zalloc(a, sizeof *n);
    if (!n) PERR(c, "out of memory");
    else n->kind = kind;
    return n;
}

static int parse_frag(bx_chunk *c, sp_arena *a, uint32_t pos, uint32_t end, int depth,
                      int has_dep, bx_node **out);

/* Parse (or fetch from the cache) the template definition at `off`. */
static int template_at(bx_chunk *c, uint32_t off, int depth, bx_node **root)
{
    struct tmpl_slot *slot = NULL;
    if (c->tmpls_cap) {
        uint32_t m = c->tmpls_cap - 1, i = hash_off(off) & m;
        for (; c->tmpls[i].state; i = (i + 1) & m)
            if (c->tmpls[i].off == off) {
                if (c->tmpls[i].state == 1) return PERR(c, "template at 0x%x refers to itself", off);
                if (c->tmpls[i].state == 3) return PERR(c, "template definition at 0x%x is damaged", off);
                *root = c->tmpls[i].root;
                return 0;
            }
        if ((c->tmpls_n + 1) * 2 <= c->tmpls_cap && c->tmpls_n < SP_MAX_TEMPLATES_PER_CHUNK) {
            slot = &c->tmpls[i];
            slot->off = off;
            slot->state = 1;
            c->tmpls_n++;
        } else if (c->tmpls_n < SP_MAX_TEMPLATES_PER_CHUNK) {
            uint32_t ncap = c->tmpls_cap * 2;
            struct tmpl_slot *ns = sp_arena_zalloc(c->carena, ncap * sizeof *ns);
            if (ns) {
                for (uint32_t k = 0; k < c->tmpls_cap; k++)
                    if (c->tmpls[k].state) {
                        uint32_t j = hash_off(c->tmpls[k].off) & (ncap - 1);
                        while (ns[j].state) j = (j + 1) & (ncap - 1);
                        ns[j] = c->tmpls[k];
                    }
                c->tmpls = ns;
                c->tmpls_cap = ncap;
                uint32_t j = hash_off(off) & (ncap - 1);
                while (ns[j].state) j = (j + 1) & (ncap - 1);
                slot = &ns[j];
                slot->off = off;
                slot->state = 1;
                c->tmpls_n++;
            }
        }
    }
    int rc = -1;
    if ((uint64_t)off + 24 > c->size) {
        PERR(c, "template definition offset 0x%x outside the chunk", off);
        goto out;
    }
    uint32_t dsize = sp_le32(c->base + off + 20);
    uint64_t dend = (uint64_t)off + 24 + dsize;
    if (dend > c->size) {
        PERR(c, "template definition at 0x%x (size %u) runs past the chunk", off, dsize);
        goto out;
    }
    /* templates are shared by the chunk's records: chunk arena; their node
     * count is not charged to the record that happened to parse them */
    unsigned saved = c->nodes;
    c->nodes = 0;
    rc = parse_frag(c, c->carena, off + 24, (uint32_t)dend, depth + 1, 1, root);
    c->nodes = saved;
out:
    if (slot) {
        /* re-find the slot: the table may have been grown by a nested parse */
        uint32_t m = c->tmpls_cap - 1, i = hash_off(off) & m;
        while (c->tmpls[i].state && c->tmpls[i].off != off) i = (i + 1) & m;
        if (c->tmpls[i].off == off) {
            if (rc == 0) { c->tmpls[i].root = *root; c->tmpls[i].state = 2; }
            else { c->tmpls[i].root = NULL; c->tmpls[i].state = 3; }
        }
    }
    return rc;
}

/* Template instance at pos (token byte included). */
static int parse_tinst(bx_chunk *c, sp_arena *a, uint32_t *ppos, uint32_t end, int depth,
                       bx_node *n)
{
    uint32_t pos = *ppos;
    if ((uint64_t)pos + 10 > end) return PERR(c, "truncated template instance at 0x%x", pos);
    uint32_t def = sp_le32(c->base + pos + 6);
    pos += 10;
    if (def == pos) {
        /* definition stored inline: next-def(4) guid(16) size(4) body */
        if ((uint64_t)pos + 24 > end) return PERR(c, "truncated template definition at 0x%x", pos);
        uint32_t dsize = sp_le32(c->base + pos + 20);
        uint64_t np = (uint64_t)pos + 24 + dsize;
        if (np > end) return PERR(c, "template definition at 0x%x runs past its record", pos);
        pos = (uint32_t)np;
    }
    if (template_at(c, def, depth, &n->child)) return -1;
    /* substitution values */
    if ((uint64_t)pos + 4 > end) return PERR(c, "truncated substitution count at 0x%x", pos);
    uint32_t nv = sp_le32(c->base + pos);
    pos += 4;
    if (nv > SP_MAX_SUBST) return PERR(c, "%u substitution values at 0x%x (limit %u)", nv, pos - 4, (unsigned)SP_MAX_SUBST);
    if ((uint64_t)pos + 4ull * nv > end) return PERR(c, "truncated substitution descriptors at 0x%x", pos);
    bx_val *v = nv ? sp_arena_alloc(a, nv * sizeof *v) : NULL;
    if (nv && !v) return PERR(c, "out of memory");
    uint64_t dp = (uint64_t)pos + 4ull * nv;
    for (uint32_t i = 0; i < nv; i++) {
        const uint8_t *d = c->base + pos + 4 * i;
        v[i].size = sp_le16(d);
        v[i].type = d[2];
        v[i].doc = NULL;
        if (dp + v[i].size > end)
            return PERR(c, "substitution value %u (%u bytes) runs past its record at 0x%llx", i, v[i].size, (unsigned long long)dp);
        v[i].p = c->base + dp;
        if (v[i].type == VT_BINXML && v[i].size) {
            if (depth + 1 > SP_MAX_BINXML_DEPTH) return PERR(c, "BinXML nested too deep at 0x%llx", (unsigned long long)dp);
            /* nested fragments carry no dependency ids */
            if (parse_frag(c, a, (uint32_t)dp, (uint32_t)(dp + v[i].size), depth + 1, 0, &v[i].doc)) return -1;
        }
        dp += v[i].size;
    }
    n->vals = v;
    n->nvals = nv;
    *ppos = (uint32_t)dp;
    return 0;
}

typedef struct level {
    bx_node *el;           /* element (NULL at the top) */
    bx_node **tail;        /* where the next content node goes */
    bx_node **atail;       /* where the next attribute goes */
    bx_node **vtail;       /* current attribute's value tail, NULL if none */
    int open;              /* 1 while in the start tag (attributes) */
} level;

static int parse_frag(bx_chunk *c, sp_arena *a, uint32_t pos, uint32_t end, int depth,
                      int has_dep, bx_node **out)
{
    if (depth > SP_MAX_BINXML_DEPTH) return PERR(c, "BinXML nested too deep at 0x%x", pos);
    level st[SP_MAX_BINXML_DEPTH + 2];
    int sp = 0;
    *out = NULL;
    st[0] = (level){NULL, out, NULL, NULL, 0};
    bx_node *last_pi = NULL;
    while (pos < end) {
        uint8_t t = c->base[pos];
        level *L = &st[sp];
        bx_node *n = NULL;
        switch (t) {
        case 0x00: /* end of fragment */
            pos++;
            goto done;
        case 0x0f: /* fragment header: major, minor, flags */
            if ((uint64_t)pos + 4 > end) return PERR(c, "truncated fragment header at 0x%x", pos);
            pos += 4;
            continue;
        case 0x01: case 0x41: { /* open start element */
            if (L->open) return PERR(c, "element opened inside a start tag at 0x%x", pos);
            if (sp + 1 > SP_MAX_BINXML_DEPTH) return PERR(c, "elements nested deeper than %d at 0x%x", SP_MAX_BINXML_DEPTH, pos);
            /* token, [dependency id (2)], data size (4), name.  Elements
             * inside BinXml values have no dependency id; one that claims a
             * data size past the chunk was written without it too. */
            int dep = has_dep;
            if (dep && (uint64_t)pos + 7 <= end && sp_le32(c->base + pos + 3) >= c->size) dep = 0;
            uint32_t p2 = pos + (dep ? 7u : 5u);
            if ((uint64_t)p2 + 4 > end) return PERR(c, "truncated element at 0x%x", pos);
            n = new_node(c, a, BN_ELEM);
            if (!n) return -1;
            if (name_ref(c, &p2, end, &n->name, &n->name_len)) return -1;
            if (t & 0x40) {
                if ((uint64_t)p2 + 4 > end) return PERR(c, "truncated attribute list at 0x%x", p2);
                p2 += 4; /* attribute list size */
            }
            pos = p2;
            *L->tail = n;
            L->tail = &n->next;
            st[++sp] = (level){n, &n->child, &n->attrs, NULL, 1};
            continue;
        }
        case 0x02: /* close start tag */
            if (!L->open) return PERR(c, "unexpected close-start-tag at 0x%x", pos);
            L->open = 0;
            L->vtail = NULL;
            pos++;
            continue;
        case 0x03: /* close empty element */
            if (!L->open) return PERR(c, "unexpected close-empty-element at 0x%x", pos);
            sp--;
            pos++;
            continue;
        case 0x04: /* end element */
            if (sp == 0 || L->open) return PERR(c, "unexpected end-element at 0x%x", pos);
            sp--;
            pos++;
            continue;
        case 0x06: case 0x46: { /* attribute */
            if (!L->open) return PERR(c, "attribute outside a start tag at 0x%x", pos);
            uint32_t p2 = pos + 1;
            n = new_node(c, a, BN_ATTR);
            if (!n) return -1;
            if (name_ref(c, &p2, end, &n->name, &n->name_len)) return -1;
            pos = p2;
            *L->atail = n;
            L->atail = &n->next;
            L->vtail = &n->child;
            continue;
        }
        case 0x05: case 0x45: { /* value text */
            if ((uint64_t)pos + 2 > end) return PERR(c, "truncated value at 0x%x", pos);
            uint8_t vt = c->base[pos + 1];
            uint32_t sz, hdr = 2;
            if (vt == VT_STRING || vt == VT_ANSI) {
                if ((uint64_t)pos + 4 > end) return PERR(c, "truncated value at 0x%x", pos);
                sz = sp_le16(c->base + pos + 2) * (vt == VT_STRING ? 2u : 1u);
                hdr = 4;
            } else {
                sz = bx_type_fixed_size(vt);
                if (!sz) return PERR(c, "value token of type 0x%02x at 0x%x", vt, pos);
            }
            if ((uint64_t)pos + hdr + sz > end) return PERR(c, "value at 0x%x runs past its fragment", pos);
            n = new_node(c, a, BN_VALUE);
            if (!n) return -1;
            n->vtype = vt;
            n->data = c->base + pos + hdr;
            n->size = sz;
            pos += hdr + sz;
            break;
        }
        case 0x07: case 0x47: /* CDATA */
        case 0x0b: { /* PI data */
            if ((uint64_t)pos + 3 > end) return PERR(c, "truncated text at 0x%x", pos);
            uint32_t cnt = sp_le16(c->base + pos + 1);
            if ((uint64_t)pos + 3 + 2ull * cnt > end) return PERR(c, "text at 0x%x runs past its fragment", pos);
            if (t == 0x0b) {
                if (last_pi) { last_pi->data = c->base + pos + 3; last_pi->size = cnt; }
                pos += 3 + 2 * cnt;
                continue;
            }
            n = new_node(c, a, BN_CDATA);
            if (!n) return -1;
            n->data = c->base + pos + 3;
            n->size = cnt;
            pos += 3 + 2 * cnt;
            break;
        }
        case 0x08: case 0x48: /* character reference */
            if ((uint64_t)pos + 3 > end) return PERR(c, "truncated character reference at 0x%x", pos);
            n = new_node(c, a, BN_CHARREF);
            if (!n) return -1;
            n->charref = sp_le16(c->base + pos + 1);
            pos += 3;
            break;
        case 0x09: case 0x49: case 0x0a: { /* entity reference, PI target */
            uint32_t p2 = pos + 1;
            n = new_node(c, a, t == 0x0a ? BN_PI : BN_ENTREF);
            if (!n) return -1;
            if (name_ref(c, &p2, end, &n->name, &n->name_len)) return -1;
            pos = p2;
            if (t == 0x0a) last_pi = n;
            break;
        }
        case 0x0c: /* template instance */
            n = new_node(c, a, BN_TINST);
            if (!n) return -1;
            if (parse_tinst(c, a, &pos, end, depth, n)) return -1;
            break;
        case 0x0d: case 0x0e: /* substitution */
            if ((uint64_t)pos + 4 > end) return PERR(c, "truncated substitution at 0x%x", pos);
            n = new_node(c, a, BN_SUBST);
            if (!n) return -1;
            n->subst_id = sp_le16(c->base + pos + 1);
            n->vtype = c->base[pos + 3];
            n->optional = (t == 0x0e);
            pos += 4;
            break;
        default:
            return PERR(c, "unknown BinXML token 0x%02x at 0x%x", t, pos);
        }
        /* a content node: into the open attribute, or the element's content */
        if (L->open) {
            if (!L->vtail) return PERR(c, "content inside a start tag at 0x%x", pos);
            *L->vtail = n;
            L->vtail = &n->next;
        } else {
            *L->tail = n;
            L->tail = &n->next;
        }
    }
    /* ran to the end without an end-of-fragment token: acceptable when all
     * elements are closed (template bodies sized exactly), else damage */
    if (sp != 0) return PERR(c, "fragment ends inside an element at 0x%x", pos);
done:
    if (sp != 0) return PERR(c, "end of fragment inside an element at 0x%x", pos);
    return 0;
}

int bx_parse_record(bx_chunk *c, uint32_t off, uint32_t end, bx_node **out)
{
    c->nodes = 0;
    c->err[0] = 0;
    if (end > c->size || off > end) return PERR(c, "record body outside the chunk");
    return parse_frag(c, c->rarena, off, end, 0, 1, out);
}
