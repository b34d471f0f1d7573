/*
 * evtx_render.c — decoded record trees to evtx_dump-shaped JSON and to XML,
 * and the named-field index the matcher reads.
 *
 * JSON rules (the evtx crate's evtx_dump, as consumed by Hayabusa, Chainsaw
 * and Zircolite):
 *  - attributes under "#attributes" (empty ones dropped); text under "#text"
 *    when an element also has attributes or child elements;
 *  - an element with nothing in it is null; one with only text is a scalar,
 *    a number/bool only when it is a single typed integer/bool value;
 *  - repeated sibling names become Name, Name_1, Name_2 … in document order;
 *  - inside EventData/UserData, Data elements with a Name attribute become
 *    "<Name>": value (empty -> ""); unnamed Data elements are gathered into
 *    "Data": {"#text": value-or-array};
 *  - array substitutions become JSON arrays; entity and character
 *    references are resolved to the characters they stand for.
 *
 * Template instances and BinXml substitution values are expanded
 * transparently: gather() flattens a content list into (node, context)
 * items, so the renderers never see the indirection.
 */
#include "evtx_int.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

typedef struct bx_ctx { const bx_val *v; uint32_t n; } bx_ctx;
typedef struct item { const bx_node *n; bx_ctx ctx; } item;
#define ITEMS_INLINE 6
typedef struct items { item *a; uint32_t n, cap; item inl[ITEMS_INLINE]; } items;
/* small lists live inside the struct: no allocation for the common case */
static inline void items_init(items *it) { it->a = it->inl; it->n = 0; it->cap = ITEMS_INLINE; }

static void items_push(sp_arena *ar, items *it, const bx_node *n, bx_ctx ctx)
{
    if (it->n == it->cap) {
        uint32_t nc = it->cap * 2;
        item *na = sp_arena_alloc(ar, nc * sizeof *na);
        if (!na) return;
        if (it->n) memcpy(na, it->a, it->n * sizeof *na);
        it->a = na;
        it->cap = nc;
    }
    it->a[it->n].n = n;
    it->a[it->n].ctx = ctx;
    it->n++;
}

static const bx_val *subst_val(const bx_node *n, bx_ctx ctx)
{
    return n->subst_id < ctx.n ? &ctx.v[n->subst_id] : NULL;
}

static void gather(sp_arena *ar, items *it, const bx_node *list, bx_ctx ctx, int depth)
{
    if (depth > SP_MAX_BINXML_DEPTH) return;
    for (const bx_node *n = list; n; n = n->next) {
        if (n->kind == BN_TINST) {
            gather(ar, it, n->child, (bx_ctx){n->vals, n->nvals}, depth + 1);
        } else if (n->kind == BN_SUBST) {
            const bx_val *v = subst_val(n, ctx);
            if (v && v->type == VT_BINXML) {
                if (v->doc) gather(ar, it, v->doc, (bx_ctx){NULL, 0}, depth + 1);
            } else {
                items_push(ar, it, n, ctx);
            }
        } else {
            items_push(ar, it, n, ctx);
        }
    }
}

/* value behind a VALUE or SUBST item: type, bytes (type 0 when missing) */
static void item_value(const item *x, uint8_t *type, const uint8_t **p, uint32_t *size)
{
    if (x->n->kind == BN_VALUE) { *type = x->n->vtype; *p = x->n->data; *size = x->n->size; return; }
    const bx_val *v = subst_val(x->n, x->ctx);
    if (!v) { *type = VT_NULL; *p = NULL; *size = 0; return; }
    *type = v->type; *p = v->p; *size = v->size;
}

static int item_empty(const item *x)
{
    switch (x->n->kind) {
    case BN_VALUE: case BN_SUBST: {
        uint8_t t; const uint8_t *p; uint32_t s;
        item_value(x, &t, &p, &s);
        return t == VT_NULL || s == 0;
    }
    case BN_CDATA: return x->n->size == 0;
    case BN_CHARREF: case BN_ENTREF: return 0;
    default: return 1;
    }
}

static int is_text_item(const item *x) { return x->n->kind != BN_ELEM && x->n->kind != BN_ATTR && x->n->kind != BN_PI; }

static const char *entity_text(const bx_node *n, size_t *len)
{
    static const struct { const char *name, *txt; } ents[] = {
        {"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}};
    for (size_t i = 0; i < sizeof ents / sizeof *ents; i++)
        if (n->name_len == strlen(ents[i].name) && !memcmp(n->name, ents[i].name, n->name_len)) {
            *len = 1;
            return ents[i].txt;
        }
    *len = 0;
    return NULL;
}

/* Split an array value into its elements, calling fn for each. */
typedef void (*elem_fn)(void *u, uint8_t type, const uint8_t *p, uint32_t size, uint32_t idx);
static uint32_t array_each(uint8_t type, const uint8_t *p, uint32_t size, elem_fn fn, void *u)
{
    uint8_t et = type & 0x7f;
    uint32_t k = 0;
    if (et == VT_STRING) {
        uint32_t i = 0, start = 0, units = size / 2;
        for (; i < units; i++)
            if (sp_le16(p + 2 * i) == 0) {
                fn(u, et, p + 2 * start, 2 * (i - start), k++);
                start = i + 1;
            }
        if (start < units) fn(u, et, p + 2 * start, 2 * (units - start), k++);
    } else if (et == VT_ANSI) {
        uint32_t start = 0;
        for (uint32_t i = 0; i < size; i++)
            if (p[i] == 0) { fn(u, et, p + start, i - start, k++); start = i + 1; }
        if (start < size) fn(u, et, p + start, size - start, k++);
    } else if (et == VT_SID) {
        uint32_t off = 0;
        while (off + 8 <= size && k < 65536) {
            uint32_t l = 8 + 4u * p[off + 1];
            if (off + l > size) break;
            fn(u, et, p + off, l, k++);
            off += l;
        }
    } else if (et == VT_SIZET) {
        for (uint32_t off = 0; off + 8 <= size; off += 8) fn(u, VT_HEX64, p + off, 8, k++);
    } else {
        uint32_t es = bx_type_fixed_size(et);
        if (!es) { fn(u, VT_BINARY, p, size, k++); return k; }
        for (uint32_t off = 0; off + es <= size; off += es) fn(u, et, p + off, es, k++);
    }
    return k;
}

/* ------------------------------------------------------------------ JSON */

typedef struct jctx {
    sp_buf *b;
    sp_arena *ar;         /* record arena: per-render scratch */
    sp_arena *car;        /* chunk arena: memoised keys */
    sp_buf keys;          /* sibling keys, used as a stack across levels */
    int depth;
} jctx;

static void json_arr_elem(void *u, uint8_t t, const uint8_t *p, uint32_t s, uint32_t idx)
{
    sp_buf *b = u;
    if (idx) sp_buf_putc(b, ',');
    bx_value_put(b, t, p, s, VF_JSON);
}

/* the text items of a content list as one JSON value */
static void json_scalar(jctx *j, const items *it)
{
    const item *only = NULL;
    uint32_t nonempty = 0;
    for (uint32_t i = 0; i < it->n; i++)
        if (is_text_item(&it->a[i]) && !item_empty(&it->a[i])) { only = &it->a[i]; nonempty++; }
    if (nonempty == 1 && (only->n->kind == BN_VALUE || only->n->kind == BN_SUBST)) {
        uint8_t t; const uint8_t *p; uint32_t s;
        item_value(only, &t, &p, &s);
        if (t & VT_ARRAY) {
            sp_buf_putc(j->b, '[');
            array_each(t, p, s, json_arr_elem, j->b);
            sp_buf_putc(j->b, ']');
        } else {
            bx_value_put(j->b, t, p, s, VF_JSON);
        }
        return;
    }
    sp_buf_putc(j->b, '"');
    for (uint32_t i = 0; i < it->n; i++) {
        const item *x = &it->a[i];
        if (!is_text_item(x)) continue;
        switch (x->n->kind) {
        case BN_VALUE: case BN_SUBST: {
            uint8_t t; const uint8_t *p; uint32_t s;
            item_value(x, &t, &p, &s);
            if (t != VT_NULL) bx_value_put(j->b, (t & VT_ARRAY) ? VT_BINARY : t, p, s, VF_JSONS);
            break;
        }
        case BN_CDATA: {
            sp_buf tmp;
            sp_buf_init(&tmp);
            sp_utf16_to_utf8(&tmp, x->n->data, x->n->size, 0);
            sp_json_escape(j->b, tmp.p ? tmp.p : "", tmp.len);
            sp_buf_fini(&tmp);
            break;
        }
        case BN_CHARREF: {
            uint8_t u16[2] = {(uint8_t)(x->n->charref & 0xff), (uint8_t)(x->n->charref >> 8)};
            sp_buf tmp;
            sp_buf_init(&tmp);
            sp_utf16_to_utf8(&tmp, u16, 1, 0);
            sp_json_escape(j->b, tmp.p ? tmp.p : "", tmp.len);
            sp_buf_fini(&tmp);
            break;
        }
        case BN_ENTREF: {
            size_t l;
            const char *e = entity_text(x->n, &l);
            if (e) sp_json_escape(j->b, e, l);
            else { sp_buf_putc(j->b, '&'); sp_json_escape(j->b, x->n->name, x->n->name_len); sp_buf_putc(j->b, ';'); }
            break;
        }
        default: break;
        }
    }
    sp_buf_putc(j->b, '"');
}

static int attr_nonempty(jctx *j, const bx_node *a, bx_ctx ctx, items *out)
{
    items_init(out);
    gather(j->ar, out, a->child, ctx, 0);
    for (uint32_t i = 0; i < out->n; i++)
        if (!item_empty(&out->a[i])) return 1;
    return 0;
}

static void json_key(jctx *j, const char *name, size_t len, uint32_t dup)
{
    sp_buf_putc(j->b, '"');
    size_t i = 0;
    while (i < len && (unsigned char)name[i] >= 0x20 && (unsigned char)name[i] < 0x80 &&
           name[i] != '"' && name[i] != '\\') i++;
    if (i == len) sp_buf_put(j->b, name, len);   /* the usual case */
    else sp_json_escape(j->b, name, len);
    if (dup) { sp_buf_putc(j->b, '_'); sp_buf_put_u64(j->b, dup); }
    sp_buf_puts(j->b, "\":");
}

static void json_element_value(jctx *j, const bx_node *el, bx_ctx ctx);

/* Append the text of `a`, a Name attribute of Data element `el`, to `out`;
 * returns whether `a` is constant (no substitution).  The text of el's first
 * Name attribute is memoised on el when constant, in the chunk arena `car`
 * (NULL: no memo), NUL-terminated: the JSON renderer and the field index
 * share it. */
static const bx_node *first_name_attr(const bx_node *el)
{
    const bx_node *a = el->attrs;
    while (a && (a->name_len != 4 || memcmp(a->name, "Name", 4))) a = a->next;
    return a;
}

static int name_attr_text(sp_arena *ar, sp_arena *car, const bx_node *el, const bx_node *a, bx_ctx ctx, sp_buf *out)
{
    int memo = first_name_attr(el) == a;
    if (memo && el->jkey_state == 1) {
        sp_buf_put(out, el->jkey, el->jkey_len);
        return 1;
    }
    int constant = 1;
    for (const bx_node *v = a->child; v; v = v->next) constant &= v->kind == BN_VALUE;
    size_t at = out->len;
    items v;
    items_init(&v);
    gather(ar, &v, a->child, ctx, 0);
    for (uint32_t i = 0; i < v.n; i++) {
        uint8_t t; const uint8_t *p; uint32_t sz;
        if (v.a[i].n->kind != BN_VALUE && v.a[i].n->kind != BN_SUBST) continue;
        item_value(&v.a[i], &t, &p, &sz);
        bx_value_put(out, t, p, sz, VF_TEXT);
    }
    if (memo && el->jkey_state == 0 && car && !out->failed) {
        bx_node *m = (bx_node *)el; /* memo only */
        m->jkey_state = 2;
        char *k = constant ? sp_arena_alloc(car, out->len - at + 1) : NULL;
        if (k) {
            memcpy(k, out->p + at, out->len - at);
            k[out->len - at] = 0;
            m->jkey = k;
            m->jkey_len = (uint32_t)(out->len - at);
            m->jkey_state = 1;
        }
    }
    return constant;
}

/* Append the text of a Data element's Name attribute to `name`; returns
 * whether it has a non-empty one. */
static int data_name(jctx *j, const bx_node *el, bx_ctx ctx, sp_buf *name)
{
    const bx_node *a = first_name_attr(el);
    if (!a) return 0;
    size_t at = name->len;
    name_attr_text(j->ar, j->car, el, a, ctx, name);
    return name->len > at;
}

/* count of earlier siblings (element items before index i) with the same
 * key; keyoff holds (offset, length, hash) per item, length UINT32_MAX for
 * items without a key */
static uint32_t key_hash(const char *k, size_t n)
{
    /* O(1) filter (first, middle and last byte); memcmp settles it */
    if (!n) return 0;
    return ((uint32_t)(unsigned char)k[0] << 16) | ((uint32_t)(unsigned char)k[n / 2] << 8) |
           (unsigned char)k[n - 1];
}

static uint32_t dup_index(uint32_t i, const char *key, size_t klen, uint32_t h,
                          const uint32_t *keyoff, const sp_buf *keys)
{
    uint32_t d = 0;
    for (uint32_t k = 0; k < i; k++) {
        const uint32_t *ko = keyoff + 3 * k;
        if (ko[1] != klen || ko[2] != h) continue;
        if (klen == 0 || !memcmp(keys->p + ko[0], key, klen)) d++;
    }
    return d;
}

static void json_children(jctx *j, const bx_node *el, const items *it, int first)
{
    int container = el && ((el->name_len == 9 && !memcmp(el->name, "EventData", 9)) ||
                           (el->name_len == 8 && !memcmp(el->name, "UserData", 8)));
    /* keys of element children, for the _N suffixes */
    uint32_t *keyoff = sp_arena_alloc(j->ar, (it->n ? it->n : 1) * 3 * sizeof *keyoff);
    if (!keyoff) return;
    /* this level's keys go on top of the shared key stack; offsets below
     * are relative to `base`, and the stack is cut back on return */
    sp_buf *kb = &j->keys;
    size_t base = kb->len;
    int named_mode = 0;
    if (container)
        for (uint32_t i = 0; i < it->n && !named_mode; i++) {
            const bx_node *c = it->a[i].n;
            if (c->kind == BN_ELEM && c->name_len == 4 && !memcmp(c->name, "Data", 4)) {
                named_mode = data_name(j, c, it->a[i].ctx, kb);
                kb->len = base;
            }
        }
    int data_done = 0;
    for (uint32_t i = 0; i < it->n; i++) {
        const item *x = &it->a[i];
        keyoff[3 * i + 1] = UINT32_MAX;
        if (x->n->kind != BN_ELEM) continue;
        const bx_node *c = x->n;
        int is_data = container && c->name_len == 4 && !memcmp(c->name, "Data", 4);
        size_t at = kb->len;
        if (is_data && named_mode) {
            if (!data_name(j, c, x->ctx, kb)) continue; /* unnamed Data dropped */
        } else if (is_data) {
            /* positional: all Data gathered into "Data": {"#text": …} once */
            if (data_done) continue;
            data_done = 1;
            if (!first) sp_buf_putc(j->b, ',');
            first = 0;
            sp_buf_puts(j->b, "\"Data\":{\"#text\":");
            uint32_t cnt = 0;
            for (uint32_t k = i; k < it->n; k++)
                if (it->a[k].n->kind == BN_ELEM && it->a[k].n->name_len == 4 && !memcmp(it->a[k].n->name, "Data", 4)) cnt++;
            if (cnt > 1) sp_buf_putc(j->b, '[');
            uint32_t w = 0;
            for (uint32_t k = i; k < it->n; k++) {
                const bx_node *d = it->a[k].n;
                if (d->kind != BN_ELEM || d->name_len != 4 || memcmp(d->name, "Data", 4)) continue;
                if (w++) sp_buf_putc(j->b, ',');
                items dc;
                items_init(&dc);
                gather(j->ar, &dc, d->child, it->a[k].ctx, 0);
                int any = 0;
                for (uint32_t q = 0; q < dc.n; q++) if (is_text_item(&dc.a[q]) && !item_empty(&dc.a[q])) any = 1;
                if (any) json_scalar(j, &dc);
                else sp_buf_puts(j->b, "\"\"");
            }
            if (cnt > 1) sp_buf_putc(j->b, ']');
            sp_buf_putc(j->b, '}');
            continue;
        } else {
            sp_buf_put(kb, c->name, c->name_len);
        }
        const char *kp = kb->p ? kb->p + at : "";
        uint32_t klen = (uint32_t)(kb->len - at), h = key_hash(kp, klen);
        keyoff[3 * i] = (uint32_t)at;
        keyoff[3 * i + 1] = klen;
        keyoff[3 * i + 2] = h;
        uint32_t dup = dup_index(i, kp, klen, h, keyoff, kb);
        if (!first) sp_buf_putc(j->b, ',');
        first = 0;
        json_key(j, kp, kb->len - at, dup);
        if (is_data) {
            /* named Data: its content; "" when empty */
            items dc;
            items_init(&dc);
            gather(j->ar, &dc, c->child, x->ctx, 0);
            int any = 0, elems = 0;
            for (uint32_t q = 0; q < dc.n; q++) {
                if (dc.a[q].n->kind == BN_ELEM) elems = 1;
                else if (!item_empty(&dc.a[q])) any = 1;
            }
            if (elems) { sp_buf_putc(j->b, '{'); json_children(j, c, &dc, 1); sp_buf_putc(j->b, '}'); }
            else if (any) json_scalar(j, &dc);
            else sp_buf_puts(j->b, "\"\"");
        } else {
            json_element_value(j, c, x->ctx);
        }
    }
    kb->len = base;
}

static void json_element_value(jctx *j, const bx_node *el, bx_ctx ctx)
{
    if (++j->depth > SP_MAX_BINXML_DEPTH) { sp_buf_puts(j->b, "null"); j->depth--; return; }
    items it;
    items_init(&it);
    gather(j->ar, &it, el->child, ctx, 0);
    int has_elem = 0, has_text = 0, has_attr = 0;
    for (uint32_t i = 0; i < it.n; i++) {
        if (it.a[i].n->kind == BN_ELEM) has_elem = 1;
        else if (!item_empty(&it.a[i])) has_text = 1;
    }
    /* attributes in one pass: written speculatively, taken back when all
     * of them turn out empty */
    size_t save = j->b->len;
    if (el->attrs) {
        sp_buf_puts(j->b, "{\"#attributes\":{");
        items av;
        for (const bx_node *a = el->attrs; a; a = a->next) {
            if (!attr_nonempty(j, a, ctx, &av)) continue;
            if (has_attr) sp_buf_putc(j->b, ',');
            has_attr = 1;
            json_key(j, a->name, a->name_len, 0);
            json_scalar(j, &av);
        }
        if (has_attr) sp_buf_putc(j->b, '}');
        else j->b->len = save;
    }
    if (!has_elem && !has_attr) {
        if (has_text) json_scalar(j, &it);
        else sp_buf_puts(j->b, "null");
        j->depth--;
        return;
    }
    if (!has_attr) sp_buf_putc(j->b, '{');
    int first = !has_attr;
    if (has_text) {
        if (!first) sp_buf_putc(j->b, ',');
        sp_buf_puts(j->b, "\"#text\":");
        json_scalar(j, &it);
        first = 0;
    }
    json_children(j, el, &it, first);
    sp_buf_putc(j->b, '}');
    j->depth--;
}


/* ------------------------------------------------------ compiled plans */
/*
 * Most records are one template instance, and the JSON shape of a template
 * is fixed except where substitution values are empty or typed.  A template
 * is therefore compiled once per chunk into a tree of jp_elem: keys already
 * quoted, escaped and de-duplicated, subtrees without substitutions rendered
 * to literal JSON, and per element only the decisions that depend on values
 * (empty -> null / omitted attribute, number vs string).  Anything the plan
 * does not cover (mixed content, CDATA, nested templates, BinXml values,
 * positional Data) falls back to the generic renderer above for that
 * element, so the output is identical either way (tests compare both).
 * Measured on the 64 MB bench file: see docs/evtx.md.
 */
enum { JP_STATIC, JP_GENERIC, JP_LEAF, JP_OBJECT, JP_DATA, JP_SPLICE };

typedef struct jp_attr {
    const char *key; uint32_t key_len;   /* "name": */
    int32_t subst;                       /* -1: static value */
    const char *lit; uint32_t lit_len;   /* static value as JSON ("" = empty: omitted) */
} jp_attr;

typedef struct jp_elem {
    const char *key; uint32_t key_len;   /* "Name": / "Name_1": */
    uint8_t kind;
    int32_t subst;                       /* LEAF/DATA content; -1 none */
    const char *lit; uint32_t lit_len;   /* STATIC value */
    jp_attr *attrs; uint32_t nattrs;
    struct jp_elem *kids; uint32_t nkids;
    const bx_node *node;                 /* for the generic fallback */
} jp_elem;

typedef struct jp_root { jp_elem *kids; uint32_t nkids; } jp_root;

static char *arena_strdup(sp_arena *a, const char *p, size_t n)
{
    char *d = sp_arena_alloc(a, n + 1);
    if (d) { if (n) memcpy(d, p, n); d[n] = 0; }
    return d;
}

/* does the subtree under list use any substitution or template? */
static int has_dynamic(const bx_node *list, int depth)
{
    if (depth > SP_MAX_BINXML_DEPTH) return 1;
    for (const bx_node *n = list; n; n = n->next) {
        if (n->kind == BN_SUBST || n->kind == BN_TINST) return 1;
        if (n->kind == BN_ELEM && (has_dynamic(n->attrs, depth + 1) || has_dynamic(n->child, depth + 1))) return 1;
        if (n->kind == BN_ATTR && has_dynamic(n->child, depth + 1)) return 1;
    }
    return 0;
}

/* a content list that is empty, one static value, or one plain substitution */
static int simple_content(const bx_node *list, int32_t *subst, const bx_node **val)
{
    *subst = -1;
    *val = NULL;
    if (!list) return 1;
    if (list->next) return 0;
    if (list->kind == BN_SUBST && list->vtype != VT_BINXML) { *subst = list->subst_id; return 1; }
    if (list->kind == BN_VALUE) { *val = list; return 1; }
    return 0;
}

static int is_name(const bx_node *n, const char *s, size_t l)
{
    return n->name_len == l && !memcmp(n->name, s, l);
}

/* the quoted, escaped key with its _N suffix, in the chunk arena */
static const char *make_key(jctx *j, const char *k, size_t kl, uint32_t dup, uint32_t *len)
{
    char mem[256];
    sp_buf t;
    sp_buf_init_with(&t, mem, sizeof mem);
    sp_buf_putc(&t, '"');
    sp_json_escape(&t, k, kl);
    if (dup) { sp_buf_putc(&t, '_'); sp_buf_put_u64(&t, dup); }
    sp_buf_puts(&t, "\":");
    const char *r = t.failed ? NULL : arena_strdup(j->car, t.p, t.len);
    *len = (uint32_t)t.len;
    sp_buf_fini(&t);
    return r;
}

/* the JSON of a static value node ("" when it renders empty) */
static const char *static_value(jctx *j, const bx_node *v, uint32_t *len)
{
    *len = 0;
    if (!v || v->size == 0) return "";
    char mem[256];
    sp_buf t;
    sp_buf_init_with(&t, mem, sizeof mem);
    bx_value_put(&t, v->vtype, v->data, v->size, VF_JSON);
    const char *r = t.failed ? NULL : arena_strdup(j->car, t.p, t.len);
    *len = (uint32_t)t.len;
    sp_buf_fini(&t);
    return r;
}

static int jp_compile_kids(jctx *j, const bx_node *parent, const bx_node *list, jp_elem **out, uint32_t *nout, int depth);

static int jp_compile_elem(jctx *j, const bx_node *el, jp_elem *e, int depth)
{
    e->node = el;
    e->subst = -1;
    if (depth > SP_MAX_BINXML_DEPTH) { e->kind = JP_GENERIC; return 0; }
    if (!has_dynamic(el->attrs, 0) && !has_dynamic(el->child, 0)) {
        /* no substitution below: render it once, now */
        char mem[512];
        sp_buf t;
        sp_buf_init_with(&t, mem, sizeof mem);
        sp_buf *saved = j->b;
        j->b = &t;
        json_element_value(j, el, (bx_ctx){NULL, 0});
        j->b = saved;
        e->kind = JP_STATIC;
        e->lit = t.failed ? NULL : arena_strdup(j->car, t.p, t.len);
        e->lit_len = (uint32_t)t.len;
        sp_buf_fini(&t);
        return e->lit ? 0 : -1;
    }
    /* attributes: each empty, static or one plain substitution */
    uint32_t na = 0;
    for (const bx_node *a = el->attrs; a; a = a->next) na++;
    if (na) {
        e->attrs = sp_arena_zalloc(j->car, na * sizeof *e->attrs);
        if (!e->attrs) return -1;
    }
    for (const bx_node *a = el->attrs; a; a = a->next) {
        jp_attr *A = &e->attrs[e->nattrs++];
        const bx_node *v;
        if (!simple_content(a->child, &A->subst, &v)) { e->kind = JP_GENERIC; return 0; }
        A->key = make_key(j, a->name, a->name_len, 0, &A->key_len);
        A->lit = static_value(j, v, &A->lit_len);
        if (!A->key || !A->lit) return -1;
    }
    const bx_node *v;
    int32_t sub;
    if (simple_content(el->child, &sub, &v)) {
        if (v) { e->kind = JP_GENERIC; return 0; }   /* static text beside dynamic attributes: rare */
        e->kind = JP_LEAF;
        e->subst = sub;
        return 0;
    }
    /* element children only (no text beside them), and at most one BinXml
     * substitution among them (Windows puts EventData in one) */
    int splices = 0;
    for (const bx_node *c = el->child; c; c = c->next) {
        if (c->kind == BN_SUBST && c->vtype == VT_BINXML) splices++;
        else if (c->kind != BN_ELEM) { e->kind = JP_GENERIC; return 0; }
    }
    if (splices > 1) { e->kind = JP_GENERIC; return 0; }
    e->kind = JP_OBJECT;
    int r = jp_compile_kids(j, el, el->child, &e->kids, &e->nkids, depth + 1);
    if (r > 0) { e->kind = JP_GENERIC; return 0; }
    return r;
}

/* Compile a list of sibling elements with their keys; returns 1 when the
 * list needs the generic renderer (positional Data, dynamic Data names). */
static int jp_compile_kids(jctx *j, const bx_node *parent, const bx_node *list, jp_elem **out, uint32_t *nout, int depth)
{
    int container = parent && (is_name(parent, "EventData", 9) || is_name(parent, "UserData", 8));
    int named = 0, any_data = 0;
    uint32_t n = 0;
    for (const bx_node *c = list; c; c = c->next) {
        n++;
        if (!container || c->kind != BN_ELEM || !is_name(c, "Data", 4)) continue;
        any_data = 1;
        for (const bx_node *a = c->attrs; a; a = a->next)
            if (is_name(a, "Name", 4)) {
                if (has_dynamic(a->child, 0)) return 1;
                if (a->child && a->child->size) named = 1;
            }
    }
    if (any_data && !named) return 1;     /* positional Data: generic */
    jp_elem *kids = sp_arena_zalloc(j->car, (n ? n : 1) * sizeof *kids);
    if (!kids) return -1;
    uint32_t k = 0;
    char kmem[1024];
    sp_buf keys;                           /* keys so far, each a u32 length and its bytes */
    sp_buf_init_with(&keys, kmem, sizeof kmem);
    int rc = 0;
    for (const bx_node *c = list; c && rc == 0; c = c->next) {
        if (c->kind == BN_SUBST && c->vtype == VT_BINXML && parent) {
            jp_elem *e = &kids[k++];
            e->kind = JP_SPLICE;
            e->subst = c->subst_id;
            e->node = c;
            continue;
        }
        if (c->kind != BN_ELEM) { rc = 1; break; }
        int is_data = container && is_name(c, "Data", 4);
        char tmem[256];
        sp_buf kt;
        sp_buf_init_with(&kt, tmem, sizeof tmem);
        if (is_data) {
            if (!data_name(j, c, (bx_ctx){NULL, 0}, &kt)) { sp_buf_fini(&kt); continue; } /* unnamed: dropped */
        } else {
            sp_buf_put(&kt, c->name, c->name_len);
        }
        /* duplicate index among earlier sibling keys */
        uint32_t dup = 0;
        for (size_t off = 0; off + 4 <= keys.len;) {
            uint32_t l;
            memcpy(&l, keys.p + off, 4);
            if (l == kt.len && (l == 0 || !memcmp(keys.p + off + 4, kt.p, l))) dup++;
            off += 4 + (size_t)l;
        }
        uint32_t kl32 = (uint32_t)kt.len;
        sp_buf_put(&keys, &kl32, 4);
        sp_buf_put(&keys, kt.p ? kt.p : "", kt.len);
        jp_elem *e = &kids[k++];
        e->key = make_key(j, kt.p ? kt.p : "", kt.len, dup, &e->key_len);
        sp_buf_fini(&kt);
        if (!e->key) { rc = -1; break; }
        if (is_data) {
            /* named Data: its content only; "" when empty */
            const bx_node *v;
            int32_t sub;
            e->node = c;
            if (!simple_content(c->child, &sub, &v)) { rc = 1; break; }
            if (v || sub < 0) {
                e->kind = JP_STATIC;
                e->lit = v && v->size ? static_value(j, v, &e->lit_len) : "\"\"";
                if (!(v && v->size)) e->lit_len = 2;
                if (!e->lit) rc = -1;
            } else {
                e->kind = JP_DATA;
                e->subst = sub;
            }
        } else {
            rc = jp_compile_elem(j, c, e, depth);
        }
    }
    if (keys.failed) rc = -1;
    sp_buf_fini(&keys);
    *out = kids;
    *nout = k;
    return rc;
}

static const jp_root *jp_get(jctx *j, bx_node *troot)
{
    if (troot->jplan_state == 1) return troot->jplan;
    if (troot->jplan_state == 2) return NULL;
    troot->jplan_state = 2;
    jp_root *r = sp_arena_zalloc(j->car, sizeof *r);
    if (!r || jp_compile_kids(j, NULL, troot, &r->kids, &r->nkids, 0)) return NULL;
    troot->jplan = r;
    troot->jplan_state = 1;
    return r;
}

static inline const bx_val *jp_val(bx_ctx ctx, int32_t i)
{
    return i >= 0 && (uint32_t)i < ctx.n ? &ctx.v[i] : NULL;
}
static inline int jp_empty(const bx_val *v) { return !v || v->type == VT_NULL || v->size == 0; }

static void jp_emit_val(jctx *j, const bx_val *v)
{
    if (v->type & VT_ARRAY) {
        sp_buf_putc(j->b, '[');
        array_each(v->type, v->p, v->size, json_arr_elem, j->b);
        sp_buf_putc(j->b, ']');
    } else {
        bx_value_put(j->b, v->type, v->p, v->size, VF_JSON);
    }
}

static void jp_render(jctx *j, const jp_elem *e, bx_ctx ctx);
static const jp_root *jp_get(jctx *j, bx_node *troot);

/* The plan of what a BinXml substitution brings into an object (one
 * template instance), or NULL when the generic renderer must do it; *none
 * when the value is empty (it brings nothing). */
static const jp_root *jp_splice(jctx *j, const jp_elem *parent, const jp_elem *sp, bx_ctx ctx,
                                const bx_node **ti_out, int *none)
{
    const bx_val *v = jp_val(ctx, sp->subst);
    *none = 0;
    if (jp_empty(v)) { *none = 1; return NULL; }
    if (v->type != VT_BINXML || !v->doc) return NULL;
    bx_node *ti = v->doc;
    if (ti->kind != BN_TINST || ti->next || !ti->child) return NULL;
    const jp_root *pl = jp_get(j, ti->child);
    if (!pl) return NULL;
    /* its keys must not meet the parent's (the _N suffixes would shift) */
    for (uint32_t a = 0; a < pl->nkids; a++)
        for (uint32_t b = 0; b < parent->nkids; b++) {
            const jp_elem *x = &pl->kids[a], *y = &parent->kids[b];
            if (x->kind == JP_SPLICE) return NULL;   /* nested splice: generic */
            if (y->kind == JP_SPLICE) continue;
            if (x->key_len == y->key_len && !memcmp(x->key, y->key, x->key_len)) return NULL;
        }
    *ti_out = ti;
    return pl;
}

static void jp_render_value(jctx *j, const jp_elem *e, bx_ctx ctx)
{
    switch (e->kind) {
    case JP_STATIC:
        sp_buf_put(j->b, e->lit, e->lit_len);
        return;
    case JP_GENERIC:
        json_element_value(j, e->node, ctx);
        return;
    case JP_DATA: {
        const bx_val *v = jp_val(ctx, e->subst);
        if (v && v->type == VT_BINXML) break;
        if (jp_empty(v)) sp_buf_puts(j->b, "\"\"");
        else jp_emit_val(j, v);
        return;
    }
    default: {
        /* a value of type BinXml where the template did not declare one:
         * the generic renderer expands it */
        const bx_val *tv = jp_val(ctx, e->subst);
        if (tv && tv->type == VT_BINXML) break;
        for (uint32_t i = 0; i < e->nattrs; i++) {
            const bx_val *av = jp_val(ctx, e->attrs[i].subst);
            if (av && av->type == VT_BINXML) goto generic;
        }
        for (uint32_t i = 0; i < e->nkids; i++)
            if (e->kids[i].kind == JP_SPLICE) {
                const bx_node *ti;
                int none;
                if (!jp_splice(j, e, &e->kids[i], ctx, &ti, &none) && !none) goto generic;
            }
        size_t save = j->b->len;
        int has_attr = 0;
        if (e->nattrs) {
            sp_buf_puts(j->b, "{\"#attributes\":{");
            for (uint32_t i = 0; i < e->nattrs; i++) {
                const jp_attr *a = &e->attrs[i];
                const bx_val *av = NULL;
                if (a->subst >= 0) { av = jp_val(ctx, a->subst); if (jp_empty(av)) continue; }
                else if (!a->lit_len) continue;
                if (has_attr) sp_buf_putc(j->b, ',');
                has_attr = 1;
                sp_buf_put(j->b, a->key, a->key_len);
                if (av) jp_emit_val(j, av);
                else sp_buf_put(j->b, a->lit, a->lit_len);
            }
            if (has_attr) sp_buf_putc(j->b, '}');
            else j->b->len = save;
        }
        if (e->kind == JP_LEAF) {
            int text = !jp_empty(tv);
            if (!has_attr) {
                if (text) jp_emit_val(j, tv);
                else sp_buf_puts(j->b, "null");
                return;
            }
            if (text) { sp_buf_puts(j->b, ",\"#text\":"); jp_emit_val(j, tv); }
            sp_buf_putc(j->b, '}');
            return;
        }
        /* object */
        if (!has_attr) sp_buf_putc(j->b, '{');
        int first = !has_attr;
        for (uint32_t i = 0; i < e->nkids; i++) {
            const jp_elem *k = &e->kids[i];
            if (k->kind == JP_SPLICE) {
                const bx_node *ti;
                int none;
                const jp_root *pl = jp_splice(j, e, k, ctx, &ti, &none);
                if (!pl) continue;             /* empty value: nothing */
                bx_ctx c2 = {ti->vals, ti->nvals};
                for (uint32_t q = 0; q < pl->nkids; q++) {
                    if (!first) sp_buf_putc(j->b, ',');
                    first = 0;
                    jp_render(j, &pl->kids[q], c2);
                }
                continue;
            }
            if (!first) sp_buf_putc(j->b, ',');
            first = 0;
            jp_render(j, k, ctx);
        }
        if (first && !has_attr) {
            /* nothing inside after all (an empty BinXml value): null, as
             * the generic renderer says of an empty element */
            j->b->len--;
            sp_buf_puts(j->b, "null");
            return;
        }
        sp_buf_putc(j->b, '}');
        return;
    }
    }
generic:
    json_element_value(j, e->node, ctx);
}

static void jp_render(jctx *j, const jp_elem *e, bx_ctx ctx)
{
    sp_buf_put(j->b, e->key, e->key_len);
    jp_render_value(j, e, ctx);
}

/* A switch set by the environment variable `name` ("1", not "0"), read
 * once: *v is -1 until then.  Workers read it at once, hence an atomic
 * (each one that finds it unset sets it to the same value). */
static int env_switch(_Atomic int *v, const char *name)
{
    int x = atomic_load_explicit(v, memory_order_relaxed);
    if (x < 0) {
        const char *e = getenv(name);
        x = e && *e && *e != '0';
        atomic_store_explicit(v, x, memory_order_relaxed);
    }
    return x;
}

/* SPOOR_NO_JSON_PLAN=1 renders everything with the generic renderer (the
 * tests compare both) */
static int plans_disabled(void)
{
    static _Atomic int v = -1;
    return env_switch(&v, "SPOOR_NO_JSON_PLAN");
}

sp_status sp_record_json(const sp_record *r, sp_buf *out)
{
    jctx j;
    memset(&j, 0, sizeof j);
    j.b = out;
    j.ar = r->chunk->rarena;
    j.car = r->chunk->carena;
    j.keys = r->chunk->keys;     /* reuse the chunk's scratch allocation */
    j.keys.len = 0;
    const jp_root *plan = NULL;
    bx_node *ti = r->root;
    if (ti && ti->kind == BN_TINST && !ti->next && ti->child && !plans_disabled())
        plan = jp_get(&j, ti->child);
    if (plan) {
        sp_buf_putc(out, '{');
        for (uint32_t i = 0; i < plan->nkids; i++) {
            if (i) sp_buf_putc(out, ',');
            jp_render(&j, &plan->kids[i], (bx_ctx){ti->vals, ti->nvals});
        }
        sp_buf_putc(out, '}');
    } else {
        items top;
        items_init(&top);
        gather(j.ar, &top, r->root, (bx_ctx){NULL, 0}, 0);
        sp_buf_putc(out, '{');
        json_children(&j, NULL, &top, 1);
        sp_buf_putc(out, '}');
    }
    int kfail = j.keys.failed;
    j.keys.failed = 0;
    r->chunk->keys = j.keys;     /* hand the (maybe grown) buffer back */
    return sp_buf_failed(out) || kfail ? SP_ERR_NOMEM : SP_OK;
}

/* ------------------------------------------------------------------- XML */

static void xml_arr_elem(void *u, uint8_t t, const uint8_t *p, uint32_t s, uint32_t idx)
{
    sp_buf *b = u;
    if (idx) sp_buf_putc(b, ',');
    bx_value_put(b, t, p, s, VF_XML);
}

static void xml_text_item(sp_buf *b, const item *x)
{
    switch (x->n->kind) {
    case BN_VALUE: case BN_SUBST: {
        uint8_t t; const uint8_t *p; uint32_t s;
        item_value(x, &t, &p, &s);
        if (t & VT_ARRAY) array_each(t, p, s, xml_arr_elem, b);
        else if (t != VT_NULL) bx_value_put(b, t, p, s, VF_XML);
        break;
    }
    case BN_CDATA:
        sp_buf_puts(b, "<![CDATA[");
        sp_utf16_to_utf8(b, x->n->data, x->n->size, 0);
        sp_buf_puts(b, "]]>");
        break;
    case BN_CHARREF:
        sp_buf_puts(b, "&#");
        sp_buf_put_u64(b, x->n->charref);
        sp_buf_putc(b, ';');
        break;
    case BN_ENTREF:
        sp_buf_putc(b, '&');
        sp_buf_put(b, x->n->name, x->n->name_len);
        sp_buf_putc(b, ';');
        break;
    default: break;
    }
}

static void xml_indent(sp_buf *b, int d) { for (int i = 0; i < d; i++) sp_buf_puts(b, "  "); }

static void xml_list(sp_buf *b, sp_arena *ar, const items *it, int depth);

static void xml_element(sp_buf *b, sp_arena *ar, const bx_node *el, bx_ctx ctx, int depth)
{
    xml_indent(b, depth);
    sp_buf_putc(b, '<');
    sp_buf_put(b, el->name, el->name_len);
    for (const bx_node *a = el->attrs; a; a = a->next) {
        items av;
        items_init(&av);
        gather(ar, &av, a->child, ctx, 0);
        int any = 0;
        for (uint32_t i = 0; i < av.n; i++) if (!item_empty(&av.a[i])) any = 1;
        if (!any) continue;
        sp_buf_putc(b, ' ');
        sp_buf_put(b, a->name, a->name_len);
        sp_buf_puts(b, "=\"");
        for (uint32_t i = 0; i < av.n; i++) xml_text_item(b, &av.a[i]);
        sp_buf_putc(b, '"');
    }
    items it;
    items_init(&it);
    gather(ar, &it, el->child, ctx, 0);
    int has_elem = 0, has_text = 0;
    for (uint32_t i = 0; i < it.n; i++) {
        if (it.a[i].n->kind == BN_ELEM || it.a[i].n->kind == BN_PI) has_elem = 1;
        else if (!item_empty(&it.a[i])) has_text = 1;
    }
    if (!has_elem && !has_text) { sp_buf_puts(b, "/>\n"); return; }
    sp_buf_putc(b, '>');
    if (!has_elem) {
        for (uint32_t i = 0; i < it.n; i++) xml_text_item(b, &it.a[i]);
    } else {
        sp_buf_putc(b, '\n');
        if (depth < SP_MAX_BINXML_DEPTH) xml_list(b, ar, &it, depth + 1);
        xml_indent(b, depth);
    }
    sp_buf_puts(b, "</");
    sp_buf_put(b, el->name, el->name_len);
    sp_buf_puts(b, ">\n");
}

static void xml_pi(sp_buf *b, const bx_node *n)
{
    sp_buf_puts(b, "<?");
    sp_buf_put(b, n->name, n->name_len);
    if (n->data && n->size) { sp_buf_putc(b, ' '); sp_utf16_to_utf8(b, n->data, n->size, 0); }
    sp_buf_puts(b, "?>\n");
}

static void xml_list(sp_buf *b, sp_arena *ar, const items *it, int depth)
{
    for (uint32_t i = 0; i < it->n; i++) {
        const item *x = &it->a[i];
        if (x->n->kind == BN_ELEM) xml_element(b, ar, x->n, x->ctx, depth);
        else if (x->n->kind == BN_PI) { xml_indent(b, depth); xml_pi(b, x->n); }
        else if (!item_empty(x)) { xml_indent(b, depth); xml_text_item(b, x); sp_buf_putc(b, '\n'); }
    }
}

sp_status sp_record_xml(const sp_record *r, sp_buf *out)
{
    items top;
    items_init(&top);
    gather(r->chunk->rarena, &top, r->root, (bx_ctx){NULL, 0}, 0);
    xml_list(out, r->chunk->rarena, &top, 0);
    return sp_buf_failed(out) ? SP_ERR_NOMEM : SP_OK;
}

/* SPOOR_NO_FIELD_PLAN=1 turns the field index's shortcuts off: every record
 * is indexed by walking it and every value rendered the general way (the
 * tests compare both) */
static _Atomic int fplans_off = -1;
static int fplans_disabled(void) { return env_switch(&fplans_off, "SPOOR_NO_FIELD_PLAN"); }

/* tests: the shortcuts on or off (between scans) */
void bx_set_field_plans(int on);
void bx_set_field_plans(int on) { atomic_store_explicit(&fplans_off, !on, memory_order_relaxed); }

/* ---------------------------------------------------------- field index */

typedef struct fctx {
    sp_record *r;
    sp_arena *ar, *car;
    uint32_t cap;
    const bx_node *top;      /* planning: the record's template instance */
    int dynamic;             /* planning: a field does not come from templates alone */
    int16_t src[SP_MAX_FIELDS_PER_RECORD];   /* planning: each field's instance (fplan_ent.src) */
} fctx;

static void add_field(fctx *f, const char *name, size_t nlen, const bx_node *content, bx_ctx ctx,
                      const bx_node *attr_of)
{
    sp_record *r = f->r;
    if (r->nfields >= SP_MAX_FIELDS_PER_RECORD) return;
    if (r->nfields == f->cap) {
        uint32_t nc = f->cap ? f->cap * 2 : 64;
        sp_field_ent *na = sp_arena_alloc(f->ar, nc * sizeof *na);
        if (!na) return;
        if (r->nfields) memcpy(na, r->fields, r->nfields * sizeof *na);
        r->fields = na;
        f->cap = nc;
    }
    if (f->top) {   /* planning: whose values is this field's context? */
        const bx_node *ti = f->top;
        int16_t src = -2;
        if (ctx.v == ti->vals && ctx.n == ti->nvals) src = -1;
        for (uint32_t k = 0; src == -2 && k < ti->nvals && k < 0x7fff; k++) {
            const bx_node *d = ti->vals[k].type == VT_BINXML ? ti->vals[k].doc : NULL;
            if (d && ctx.v == d->vals && ctx.n == d->nvals) src = (int16_t)k;
        }
        if (src == -2) f->dynamic = 1;
        f->src[r->nfields] = src;
    }
    sp_field_ent *e = &r->fields[r->nfields++];
    e->rendered = 0;
    e->v = (sp_value){NULL, 0, 0, 0, 0};
    e->vals_r = NULL;
    e->nvals_r = 0;
    e->name = name;
    e->name_len = (uint16_t)(nlen > 0xffff ? 0xffff : nlen);
    e->content = content;
    e->vals = ctx.v;
    e->nvals = ctx.n;
    (void)attr_of;
}

static char *join_name(sp_arena *ar, const char *a, size_t al, const char *b, size_t bl, size_t *len)
{
    char *p = sp_arena_alloc(ar, al + bl + 2);
    if (!p) return NULL;
    memcpy(p, a, al);
    p[al] = '_';
    memcpy(p + al + 1, b, bl);
    p[al + bl + 1] = 0;
    *len = al + bl + 1;
    return p;
}

static void index_attrs(fctx *f, const bx_node *el, bx_ctx ctx)
{
    for (const bx_node *a = el->attrs; a; a = a->next) {
        bx_node *m = (bx_node *)a;   /* the memo is a cache: logically const */
        if (m->fname_state != 1) {
            size_t l;
            char *nm = join_name(f->car, el->name, el->name_len, a->name, a->name_len, &l);
            if (!nm || l > 0xffff) { f->dynamic = 1; continue; }
            m->fname = nm;
            m->fname_len = (uint16_t)l;
            m->fname_state = 1;
        }
        add_field(f, a->fname, a->fname_len, a->child, ctx, el);
    }
}

/* the text of Data element d's Name attribute `a` (memoised on d when
 * constant, name_attr_text); a name that depends on values marks the
 * record's fields as not plannable */
static const char *index_data_name(fctx *f, const bx_node *d, const bx_node *a, bx_ctx ctx, size_t *len)
{
    int first = first_name_attr(d) == a;
    if (!first || d->jkey_state != 1) {
        char nmem[256];
        sp_buf nm;
        sp_buf_init_with(&nm, nmem, sizeof nmem);
        if (!name_attr_text(f->ar, f->car, d, a, ctx, &nm)) f->dynamic = 1;
        char *s2 = NULL;
        int memoised = first && d->jkey_state == 1;   /* by that call */
        if (!memoised && nm.len && !nm.failed && nm.len <= 0xffff) {
            s2 = sp_arena_alloc(f->car, nm.len + 1);   /* chunk arena: see bx_chunk.gen */
            if (s2) {
                memcpy(s2, nm.p, nm.len);
                s2[nm.len] = 0;
                *len = nm.len;
            }
        }
        sp_buf_fini(&nm);
        if (!memoised) return s2;
    }
    if (!d->jkey_len || d->jkey_len > 0xffff) return NULL;
    *len = d->jkey_len;
    return d->jkey;
}

/* leaves under UserData (and nested elements of EventData) by element name */
static void index_leaves(fctx *f, const bx_node *list, bx_ctx ctx, int depth)
{
    if (depth > SP_MAX_BINXML_DEPTH) return;
    items it;
    items_init(&it);
    gather(f->ar, &it, list, ctx, 0);
    for (uint32_t i = 0; i < it.n; i++) {
        const bx_node *c = it.a[i].n;
        if (c->kind != BN_ELEM) continue;
        items sub;
        items_init(&sub);
        gather(f->ar, &sub, c->child, it.a[i].ctx, 0);
        int has_elem = 0;
        for (uint32_t k = 0; k < sub.n; k++) if (sub.a[k].n->kind == BN_ELEM) has_elem = 1;
        if (has_elem) index_leaves(f, c->child, it.a[i].ctx, depth + 1);
        else add_field(f, c->name, c->name_len, c->child, it.a[i].ctx, NULL);
        if (c->attrs) index_attrs(f, c, it.a[i].ctx);
    }
}

/* A template's field plan.  The (name, content) pairs indexing finds in a
 * template instance depend only on its template and, for each value that is
 * itself BinXML, on the template that value instantiates (gather expands
 * nothing else), as long as Data names are constant and every field's
 * context is one of those instances' values.  The first instance with a
 * given signature (the inner templates) is indexed by walking it and its
 * fields become a plan; later instances in the chunk with that signature
 * copy it and point each field at their own values. */
#define FPLAN_MAX_SIG 16
#define FPLAN_MAX_PER_TEMPLATE 8
typedef struct fplan_sig { uint32_t k; const bx_node *inner; } fplan_sig;
typedef struct fplan_ent { const char *name; uint16_t name_len; int16_t src; const bx_node *content; } fplan_ent;
/* sp_record_field's answers for records of a plan, by name (the same for
 * all of them): where the fields of that name are */
#define FPLAN_MEMO 8
typedef struct fplan_memo { const char *name; uint16_t len, cnt; uint16_t idx[4]; } fplan_memo;
typedef struct fplan {
    struct fplan *next;      /* other signatures of the same template */
    uint32_t nsig, n, nmemo;
    fplan_sig sig[FPLAN_MAX_SIG];
    fplan_memo memo[FPLAN_MEMO];
    fplan_ent e[];           /* src -1: the instance's values, k: value k's instance's */
} fplan;


static int binxml_values(const bx_node *ti)
{
    for (uint32_t i = 0; i < ti->nvals; i++) if (ti->vals[i].type == VT_BINXML) return 1;
    return 0;
}

/* the instance's signature; -1 when it cannot be planned */
static int plan_sig(const bx_node *ti, fplan_sig *sig, uint32_t *nsig)
{
    uint32_t n = 0;
    for (uint32_t k = 0; k < ti->nvals; k++) {
        if (ti->vals[k].type != VT_BINXML) continue;
        const bx_node *d = ti->vals[k].doc;
        if (d && (d->kind != BN_TINST || d->next || !d->child || binxml_values(d))) return -1;
        if (n == FPLAN_MAX_SIG) return -1;
        sig[n++] = (fplan_sig){k, d ? d->child : NULL};
    }
    *nsig = n;
    return 0;
}

static const bx_val *src_vals(const bx_node *ti, int16_t src, uint32_t *n)
{
    if (src < 0) { *n = ti->nvals; return ti->vals; }
    const bx_node *d = ti->vals[src].doc;
    *n = d->nvals;
    return d->vals;
}

static void index_walk(fctx *f);

void bx_record_index(sp_record *r)
{
    if (r->indexed) return;
    r->indexed = 1;
    fctx f = {.r = r, .ar = r->chunk->rarena, .car = r->chunk->carena};
    const bx_node *ti = r->root;
    bx_node *troot = NULL;
    fplan_sig sig[FPLAN_MAX_SIG];
    uint32_t nsig = 0, nplans = 0;
    if (ti && ti->kind == BN_TINST && !ti->next && ti->child && ti->vals && !fplans_disabled() &&
        !plan_sig(ti, sig, &nsig)) {
        troot = ti->child;
        for (const fplan *p = troot->fplan; p; p = p->next, nplans++) {
            if (p->nsig != nsig || (nsig && memcmp(p->sig, sig, nsig * sizeof *sig))) continue;
            r->fields = sp_arena_alloc(f.ar, (p->n ? p->n : 1) * sizeof *r->fields);
            if (!r->fields) break;
            for (uint32_t i = 0; i < p->n; i++) {
                sp_field_ent *e = &r->fields[i];
                e->name = p->e[i].name;
                e->name_len = p->e[i].name_len;
                e->content = p->e[i].content;
                e->vals = src_vals(ti, p->e[i].src, &e->nvals);
                e->rendered = 0;
                e->v = (sp_value){NULL, 0, 0, 0, 0};
                e->vals_r = NULL;
                e->nvals_r = 0;
            }
            r->nfields = p->n;
            r->plan = (void *)p;
            return;
        }
        if (nplans >= FPLAN_MAX_PER_TEMPLATE) troot = NULL;
        else f.top = ti;
    }
    index_walk(&f);
    if (troot && !f.dynamic) {
        fplan *p = sp_arena_alloc(f.car, sizeof *p + r->nfields * sizeof p->e[0]);
        if (p) {
            p->nsig = nsig;
            if (nsig) memcpy(p->sig, sig, nsig * sizeof *sig);
            p->n = r->nfields;
            p->nmemo = 0;
            for (uint32_t i = 0; i < r->nfields; i++)
                p->e[i] = (fplan_ent){r->fields[i].name, r->fields[i].name_len, f.src[i], r->fields[i].content};
            p->next = troot->fplan;
            troot->fplan = p;
            r->plan = p;
        }
    }
}

static void index_walk(fctx *f)
{
    sp_record *r = f->r;
    items top;
    items_init(&top);
    gather(f->ar, &top, r->root, (bx_ctx){NULL, 0}, 0);
    for (uint32_t i = 0; i < top.n; i++) {
        const bx_node *ev = top.a[i].n;
        if (ev->kind != BN_ELEM) continue;
        items sec;
        items_init(&sec);
        gather(f->ar, &sec, ev->child, top.a[i].ctx, 0);
        for (uint32_t s = 0; s < sec.n; s++) {
            const bx_node *S = sec.a[s].n;
            bx_ctx sc = sec.a[s].ctx;
            if (S->kind != BN_ELEM) continue;
            if (S->name_len == 6 && !memcmp(S->name, "System", 6)) {
                items sy;
                items_init(&sy);
                gather(f->ar, &sy, S->child, sc, 0);
                for (uint32_t k = 0; k < sy.n; k++) {
                    const bx_node *e = sy.a[k].n;
                    if (e->kind != BN_ELEM) continue;
                    add_field(f, e->name, e->name_len, e->child, sy.a[k].ctx, NULL);
                    index_attrs(f, e, sy.a[k].ctx);
                }
            } else if (S->name_len == 9 && !memcmp(S->name, "EventData", 9)) {
                items ed;
                items_init(&ed);
                gather(f->ar, &ed, S->child, sc, 0);
                for (uint32_t k = 0; k < ed.n; k++) {
                    const bx_node *d = ed.a[k].n;
                    if (d->kind != BN_ELEM) continue;
                    int named = 0;
                    if (d->name_len == 4 && !memcmp(d->name, "Data", 4)) {
                        for (const bx_node *a = d->attrs; a; a = a->next)
                            if (a->name_len == 4 && !memcmp(a->name, "Name", 4)) {
                                size_t nl = 0;
                                const char *nm = index_data_name(f, d, a, ed.a[k].ctx, &nl);
                                if (nm) {
                                    add_field(f, nm, nl, d->child, ed.a[k].ctx, NULL);
                                    named = 1;
                                }
                            }
                    }
                    if (!named) add_field(f, d->name, d->name_len, d->child, ed.a[k].ctx, NULL);
                }
            } else if (S->name_len == 8 && !memcmp(S->name, "UserData", 8)) {
                index_leaves(f, S->child, sc, 0);
            }
        }
    }
}

/* render a field's content to text values (arrays -> several) */
typedef struct fvals { sp_value *v; uint32_t n, cap; sp_arena *ar; } fvals;

static void fv_push(fvals *fv, const char *s, size_t len, int is_int, int64_t i)
{
    if (fv->n == fv->cap) {
        uint32_t nc = fv->cap ? fv->cap * 2 : 4;
        sp_value *na = sp_arena_alloc(fv->ar, nc * sizeof *na);
        if (!na) return;
        if (fv->n) memcpy(na, fv->v, fv->n * sizeof *na);
        fv->v = na;
        fv->cap = nc;
    }
    sp_value *x = &fv->v[fv->n++];
    x->str = s;
    x->len = len;
    x->is_int = is_int;
    x->i = i;
    x->is_null = 0;
}

static int type_int(uint8_t t, const uint8_t *p, uint32_t s, int64_t *out)
{
    switch (t) {
    case VT_I8: if (s < 1) return 0; *out = (int8_t)p[0]; return 1;
    case VT_U8: if (s < 1) return 0; *out = p[0]; return 1;
    case VT_I16: if (s < 2) return 0; *out = (int16_t)sp_le16(p); return 1;
    case VT_U16: if (s < 2) return 0; *out = sp_le16(p); return 1;
    case VT_I32: if (s < 4) return 0; *out = (int32_t)sp_le32(p); return 1;
    case VT_U32: case VT_HEX32: if (s < 4) return 0; *out = sp_le32(p); return 1;
    case VT_I64: case VT_U64: case VT_HEX64: if (s < 8) return 0; *out = (int64_t)sp_le64(p); return 1;
    default: return 0;
    }
}

static char *arena_text(sp_arena *ar, uint8_t t, const uint8_t *p, uint32_t s, size_t *len)
{
    char mem[512];
    sp_buf tmp;
    sp_buf_init_with(&tmp, mem, sizeof mem);
    bx_value_put(&tmp, t, p, s, VF_TEXT);
    char *o = sp_arena_alloc(ar, tmp.len + 1);
    if (o) { if (tmp.len) memcpy(o, tmp.p, tmp.len); o[tmp.len] = 0; *len = tmp.len; }
    sp_buf_fini(&tmp);
    return o;
}

static void fv_elem(void *u, uint8_t t, const uint8_t *p, uint32_t s, uint32_t idx)
{
    fvals *fv = u;
    (void)idx;
    size_t len = 0;
    char *o = arena_text(fv->ar, t, p, s, &len);
    int64_t iv = 0;
    int isi = type_int(t, p, s, &iv);
    if (o) fv_push(fv, o, len, isi, iv);
}

static void field_render(sp_record *r, sp_field_ent *e)
{
    e->rendered = 1;
    sp_arena *ar = r->chunk->rarena;
    /* the common case, one scalar value or substitution: what the general
     * path below makes of it, without gathering items or a values array */
    const bx_node *c = e->content;
    if (c && !c->next && (c->kind == BN_VALUE || c->kind == BN_SUBST) && !fplans_disabled()) {
        item one = {c, {e->vals, e->nvals}};
        uint8_t t; const uint8_t *p; uint32_t sz;
        item_value(&one, &t, &p, &sz);
        if (t != VT_BINXML && !(t & VT_ARRAY)) {
            e->vals_r = &e->v;
            e->nvals_r = 1;
            if (t == VT_NULL || sz == 0) { e->v = (sp_value){"", 0, 0, 0, 1}; return; }
            size_t len = 0;
            char *o = arena_text(ar, t, p, sz, &len);
            int64_t iv = 0;
            int isi = type_int(t, p, sz, &iv);
            if (o) { e->v = (sp_value){o, len, isi, iv, 0}; return; }
            e->v = (sp_value){"", 0, 0, 0, 1};   /* out of memory: as the general path */
            return;
        }
    }
    items it;
    items_init(&it);
    gather(ar, &it, e->content, (bx_ctx){e->vals, e->nvals}, 0);
    fvals fv = {NULL, 0, 0, ar};
    /* a single array value: one value per element */
    const item *only = NULL;
    uint32_t nonempty = 0;
    for (uint32_t i = 0; i < it.n; i++)
        if (is_text_item(&it.a[i]) && !item_empty(&it.a[i])) { only = &it.a[i]; nonempty++; }
    if (nonempty == 1 && (only->n->kind == BN_VALUE || only->n->kind == BN_SUBST)) {
        uint8_t t; const uint8_t *p; uint32_t s;
        item_value(only, &t, &p, &s);
        if (t & VT_ARRAY) array_each(t, p, s, fv_elem, &fv);
        else fv_elem(&fv, t, p, s, 0);
    } else if (nonempty) {
        char mem[512];
        sp_buf tmp;
        sp_buf_init_with(&tmp, mem, sizeof mem);
        for (uint32_t i = 0; i < it.n; i++) {
            const item *x = &it.a[i];
            if (x->n->kind == BN_VALUE || x->n->kind == BN_SUBST) {
                uint8_t t; const uint8_t *p; uint32_t s;
                item_value(x, &t, &p, &s);
                bx_value_put(&tmp, (t & VT_ARRAY) ? VT_BINARY : t, p, s, VF_TEXTS);
            } else if (x->n->kind == BN_CDATA) {
                sp_utf16_to_utf8(&tmp, x->n->data, x->n->size, 0);
            } else if (x->n->kind == BN_CHARREF) {
                uint8_t u16[2] = {(uint8_t)(x->n->charref & 0xff), (uint8_t)(x->n->charref >> 8)};
                sp_utf16_to_utf8(&tmp, u16, 1, 0);
            } else if (x->n->kind == BN_ENTREF) {
                size_t l;
                const char *t = entity_text(x->n, &l);
                if (t) sp_buf_put(&tmp, t, l);
            }
        }
        char *o = sp_arena_alloc(ar, tmp.len + 1);
        if (o) {
            if (tmp.len) memcpy(o, tmp.p, tmp.len);
            o[tmp.len] = 0;
            fv_push(&fv, o, tmp.len, 0, 0);
        }
        sp_buf_fini(&tmp);
    }
    if (fv.n == 0) {
        /* present but empty */
        fv_push(&fv, "", 0, 0, 0);
        if (fv.n) fv.v[0].is_null = 1;
    }
    e->v = fv.n ? fv.v[0] : (sp_value){"", 0, 0, 0, 1};
    e->vals_r = fv.v;
    e->nvals_r = fv.n;
}

static size_t field_values_at(sp_record *r, uint32_t i, size_t n, sp_value *vals, size_t max)
{
    sp_field_ent *e = &r->fields[i];
    if (!e->rendered) field_render(r, e);
    for (size_t k = 0; k < e->nvals_r; k++, n++)
        if (n < max) vals[n] = e->vals_r[k];
    return n;
}

size_t sp_record_field(const sp_record *rc, const char *name, size_t name_len,
                       sp_value *vals, size_t max)
{
    sp_record *r = (sp_record *)rc; /* the index is a cache: logically const */
    if (!r->indexed) bx_record_index(r);
    fplan *p = r->plan;
    if (p && name_len && name_len < 0xffff) {
        /* records of a plan have the same fields: the answer by name is memoised */
        for (uint32_t m = 0; m < p->nmemo; m++) {
            const fplan_memo *M = &p->memo[m];
            if (M->len != name_len || M->name[0] != name[0] || memcmp(M->name, name, name_len)) continue;
            size_t n = 0;
            for (uint32_t k = 0; k < M->cnt; k++) n = field_values_at(r, M->idx[k], n, vals, max);
            return n;
        }
        if (p->nmemo < FPLAN_MEMO) {
            fplan_memo M = {NULL, (uint16_t)name_len, 0, {0}};
            int fits = 1;
            for (uint32_t i = 0; i < r->nfields && fits; i++)
                if (r->fields[i].name_len == name_len && !memcmp(r->fields[i].name, name, name_len)) {
                    if (M.cnt == 4 || i > 0xffff) fits = 0;
                    else M.idx[M.cnt++] = (uint16_t)i;
                }
            char *nm = fits ? sp_arena_alloc(r->chunk->carena, name_len) : NULL;   /* lives with the plan */
            if (nm) {
                memcpy(nm, name, name_len);
                M.name = nm;
                p->memo[p->nmemo++] = M;
                size_t n = 0;
                for (uint32_t k = 0; k < M.cnt; k++) n = field_values_at(r, M.idx[k], n, vals, max);
                return n;
            }
        }
    }
    size_t n = 0;
    for (uint32_t i = 0; i < r->nfields; i++) {
        sp_field_ent *e = &r->fields[i];
        if (e->name_len != name_len || (name_len && e->name[0] != name[0]) || memcmp(e->name, name, name_len)) continue;
        if (!e->rendered) field_render(r, e);
        for (size_t k = 0; k < e->nvals_r; k++, n++)
            if (n < max) vals[n] = e->vals_r[k];
    }
    return n;
}

void sp_record_fields(const sp_record *rc, sp_field_fn fn, void *user)
{
    sp_record *r = (sp_record *)rc;
    if (!r->indexed) bx_record_index(r);
    for (uint32_t i = 0; i < r->nfields; i++) {
        sp_field_ent *e = &r->fields[i];
        if (!e->rendered) field_render(r, e);
        for (uint32_t k = 0; k < e->nvals_r; k++)
            if (fn(user, e->name, e->name_len, &e->vals_r[k])) return;
    }
}

uint64_t sp_record_names_gen(const sp_record *r) { return r->chunk ? r->chunk->gen : 0; }

const void *sp_record_names_id(const sp_record *rc)
{
    sp_record *r = (sp_record *)rc;
    if (!r->indexed) bx_record_index(r);
    return r->plan;
}

size_t sp_record_field_count(const sp_record *rc)
{
    sp_record *r = (sp_record *)rc;
    if (!r->indexed) bx_record_index(r);
    return r->nfields;
}

const char *sp_record_field_name(const sp_record *rc, size_t i, size_t *len)
{
    sp_record *r = (sp_record *)rc;
    if (!r->indexed) bx_record_index(r);
    if (i >= r->nfields) { *len = 0; return ""; }
    *len = r->fields[i].name_len;
    return r->fields[i].name;
}

size_t sp_record_field_values(const sp_record *rc, size_t i, sp_value *vals, size_t max)
{
    sp_record *r = (sp_record *)rc;
    if (!r->indexed) bx_record_index(r);
    if (i >= r->nfields) return 0;
    sp_field_ent *e = &r->fields[i];
    if (!e->rendered) field_render(r, e);
    for (size_t k = 0; k < e->nvals_r && k < max; k++) vals[k] = e->vals_r[k];
    return e->nvals_r;
}

uint32_t sp_record_event_id(const sp_record *rc)
{
    sp_record *r = (sp_record *)rc;   /* a cache: logically const */
    if (!r->event_id_done) {
        r->event_id_done = 1;
        sp_value v;
        if (sp_record_field(r, "EventID", 7, &v, 1) && v.is_int) r->event_id = (uint32_t)v.i;
    }
    return r->event_id;
}
uint64_t sp_record_id(const sp_record *r) { return r->id; }
uint64_t sp_record_filetime(const sp_record *r) { return r->filetime; }
uint64_t sp_record_offset(const sp_record *r) { return r->offset; }
int sp_record_recovered(const sp_record *r) { return r->recovered; }
