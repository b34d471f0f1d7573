/*
 * evtx_int.h — internals of the EVTX reader shared by its parts:
 *
 *   evtx_file.c    file header, chunk walk, damage accounting, recovery,
 *                  the parallel chunk pipeline
 *   evtx_binxml.c  Binary XML tokens -> a small node tree (templates are
 *                  parsed once per chunk and cached by offset)
 *   evtx_value.c   substitution value types -> text
 *   evtx_render.c  tree -> evtx_dump-shaped JSON and XML
 *   evtx_fields.c  tree -> named field index (what the matcher reads)
 *
 * Memory: names and template trees live in the worker's chunk arena (reset
 * per chunk); record trees, nested BinXML and rendered field text live in the
 * record arena (reset per record).  Nothing here allocates with malloc per
 * record.
 *
 * Every offset read from the file is checked against the chunk bounds before
 * use; recursion (nested BinXML, nested templates) is bounded by
 * SP_MAX_BINXML_DEPTH and SP_MAX_TEMPLATE_NEST (limits.h).
 */
#ifndef SP_EVTX_INT_H
#define SP_EVTX_INT_H

#include <stdint.h>
#include "spoor.h"
#include "../base/arena.h"
#include "../base/buf.h"
#include "../base/limits.h"

/* BinXML value types */
enum {
    VT_NULL = 0x00, VT_STRING = 0x01, VT_ANSI = 0x02, VT_I8 = 0x03, VT_U8 = 0x04,
    VT_I16 = 0x05, VT_U16 = 0x06, VT_I32 = 0x07, VT_U32 = 0x08, VT_I64 = 0x09,
    VT_U64 = 0x0a, VT_R32 = 0x0b, VT_R64 = 0x0c, VT_BOOL = 0x0d, VT_BINARY = 0x0e,
    VT_GUID = 0x0f, VT_SIZET = 0x10, VT_FILETIME = 0x11, VT_SYSTIME = 0x12,
    VT_SID = 0x13, VT_HEX32 = 0x14, VT_HEX64 = 0x15, VT_EVTHANDLE = 0x20,
    VT_BINXML = 0x21, VT_EVTXML = 0x23, VT_ARRAY = 0x80
};

/* node kinds */
enum { BN_ELEM = 1, BN_ATTR, BN_VALUE, BN_SUBST, BN_CDATA, BN_CHARREF,
       BN_ENTREF, BN_PI, BN_TINST };

typedef struct bx_val {
    const uint8_t *p;        /* bytes in the chunk (or record) buffer */
    uint32_t size;
    uint8_t type;
    struct bx_node *doc;     /* VT_BINXML: the parsed nested fragment */
} bx_val;

typedef struct bx_node {
    uint8_t kind;
    uint8_t vtype;           /* BN_VALUE / BN_SUBST: value type */
    uint8_t optional;        /* BN_SUBST: optional substitution */
    uint16_t subst_id;       /* BN_SUBST */
    uint16_t charref;        /* BN_CHARREF */
    uint16_t name_len;
    const char *name;        /* UTF-8 (ELEM, ATTR, ENTREF, PI target) */
    const uint8_t *data;     /* VALUE: raw value bytes; CDATA/PI: UTF-16 */
    uint32_t size;           /* bytes at data; CDATA/PI: UTF-16 units */
    struct bx_node *attrs;   /* ELEM: attribute list */
    struct bx_node *child;   /* ELEM/ATTR: content; TINST: template root list */
    struct bx_node *next;
    /* TINST */
    bx_val *vals;
    uint32_t nvals;
    /* memo of a Data element's constant Name text (NUL-terminated; the
     * JSON renderer and the field index write and read it; chunk arena) */
    const char *jkey;
    uint32_t jkey_len;
    uint8_t jkey_state;      /* 0 not yet, 1 memoised, 2 depends on values */
    /* compiled JSON plan of a template (on its root node; chunk arena) */
    uint8_t jplan_state;     /* 0 not yet, 1 compiled, 2 not plannable */
    void *jplan;
    /* field-index memo on an ATTR (bx_record_index): "Element_Attribute", in
     * the chunk arena, which outlives every node (a Data element's constant
     * Name is the jkey memo above, shared with the JSON renderer) */
    uint8_t fname_state;     /* 0 not yet, 1 memoised */
    uint16_t fname_len;
    const char *fname;
    /* field plans of a template (on its root node; chunk arena): the fields
     * bx_record_index finds in its instances, per inner-template signature */
    void *fplan;
} bx_node;

/* parsing context of one chunk (or of a carved record with no chunk) */
typedef struct bx_chunk {
    const uint8_t *base;     /* chunk bytes */
    uint32_t size;           /* normally 65536 */
    sp_arena *carena;        /* names + templates (per chunk) */
    sp_arena *rarena;        /* per record */
    /* caches keyed by chunk offset (open addressing, power of two) */
    struct name_slot { uint32_t off; uint16_t len; const char *s; } *names;
    uint32_t names_cap, names_n;
    struct tmpl_slot { uint32_t off; bx_node *root; int state; } *tmpls;
    uint32_t tmpls_cap, tmpls_n;
    sp_buf scratch;          /* UTF-16 decode scratch */
    sp_buf keys;             /* JSON renderer's key stack (reused) */
    unsigned nodes;          /* nodes made for the current record (limit) */
    uint64_t gen;            /* unique per bx_chunk_begin (process-wide): field
                                names handed out meanwhile keep their address and text */
    char err[160];           /* last parse error */
} bx_chunk;

int bx_chunk_init(bx_chunk *c);
void bx_chunk_begin(bx_chunk *c, const uint8_t *base, uint32_t size);
void bx_chunk_fini(bx_chunk *c);

/* Parse the BinXML fragment of a record spanning [off, end) of the chunk.
 * Returns 0 and the top-level node list, or -1 with c->err set. */
int bx_parse_record(bx_chunk *c, uint32_t off, uint32_t end, bx_node **out);

/* A value's text form. */
typedef enum { VF_JSON, VF_JSONS, VF_XML, VF_TEXT, VF_TEXTS } vform;
/* Append the text of value (type, p, size) to b; for VF_JSON numbers are
 * bare and strings quoted+escaped; VF_XML escapes; VF_TEXT is raw UTF-8. */
void bx_value_put(sp_buf *b, uint8_t type, const uint8_t *p, uint32_t size, vform f);
/* Whether a value type renders as a JSON number/bool (unquoted). */
int bx_type_is_bare(uint8_t type);
/* Size of one element of a fixed-size type, 0 for variable-size types. */
uint32_t bx_type_fixed_size(uint8_t type);

/* decoded record (the struct behind sp_record) */
typedef struct sp_field_ent {
    const char *name;
    uint16_t name_len;
    const bx_node *content;  /* content node list */
    const bx_val *vals;      /* context for substitutions */
    uint32_t nvals;
    /* lazily rendered */
    int rendered;
    sp_value v;              /* first value */
    sp_value *vals_r;        /* all values (arrays give several) */
    uint32_t nvals_r;
} sp_field_ent;

struct sp_record {
    uint64_t id, filetime, offset;
    int recovered;
    bx_node *root;
    bx_chunk *chunk;
    /* field index, built on first use */
    int indexed;
    sp_field_ent *fields;
    uint32_t nfields;
    void *plan;              /* the field plan the index follows (evtx_render.c), or NULL */
    uint32_t event_id;       /* sp_record_event_id, on first use */
    int event_id_done;
};

void bx_record_index(sp_record *r);
void evtx_filetime_parts(uint64_t ft, int *y, int *mo, int *d, int *h, int *mi, int *s, uint32_t *frac100ns);

#endif
