/*
 * json_event.c — the JSON event shapes mapped onto one set of field names
 * (see json_event.h).  Each leaf gets its full dotted path as a name and,
 * when the shape gives it one, the canonical Windows name.
 */
#include "json/json_event.h"

#include <string.h>

#include "base/limits.h"

static int starts(const char *p, size_t n, const char *pre)
{
    size_t l = strlen(pre);
    return n >= l && !memcmp(p, pre, l);
}

static int eq(const char *p, size_t n, const char *s)
{
    return strlen(s) == n && !memcmp(p, s, n);
}

static int add_name(sp_jevent *ev, sp_arena *a, uint32_t *cap, const char *name, size_t len, uint32_t leaf)
{
    if (ev->nfields == *cap) {
        uint32_t nc = *cap ? *cap * 2 : 64;
        sp_jfield *nf = sp_arena_alloc(a, nc * sizeof *nf);
        if (!nf) return -1;
        if (ev->nfields) memcpy(nf, ev->fields, ev->nfields * sizeof *nf);
        ev->fields = nf;
        *cap = nc;
    }
    sp_jfield *f = &ev->fields[ev->nfields++];
    f->name = name;
    f->name_len = (uint32_t)len;
    f->leaf = leaf;
    return 0;
}

/* "X_A" in the arena */
static const char *join2(sp_arena *a, const char *x, size_t xl, const char *y, size_t yl, size_t *len)
{
    char *p = sp_arena_alloc(a, xl + yl + 2);
    if (!p) return NULL;
    memcpy(p, x, xl);
    p[xl] = '_';
    memcpy(p + xl + 1, y, yl);
    p[xl + yl + 1] = 0;
    *len = xl + yl + 1;
    return p;
}

/* Canonical name of an evtx_dump leaf path below "Event.": System fields,
 * EventData/UserData values, with "#text" and "#attributes" folded the way
 * the EVTX reader names them.  Returns 0 when the leaf gets no extra name. */
static int evtx_dump_name(sp_arena *a, const char *p, size_t n, const char **out, size_t *olen)
{
    /* components */
    const char *c[SP_MAX_JSON_DEPTH];
    size_t cl[SP_MAX_JSON_DEPTH], k = 0, st = 0;
    for (size_t i = 0; i <= n && k < SP_MAX_JSON_DEPTH; i++)
        if (i == n || p[i] == '.') { c[k] = p + st; cl[k] = i - st; k++; st = i + 1; }
    if (k < 3 || !eq(c[0], cl[0], "Event")) return 0;
    /* drop a trailing "#text" */
    if (eq(c[k - 1], cl[k - 1], "#text")) k--;
    if (k < 3) return 0;
    /* ...X.#attributes.A -> X_A */
    if (k >= 4 && eq(c[k - 2], cl[k - 2], "#attributes")) {
        if (eq(c[1], cl[1], "System") || eq(c[1], cl[1], "UserData") || eq(c[1], cl[1], "EventData")) {
            *out = join2(a, c[k - 3], cl[k - 3], c[k - 1], cl[k - 1], olen);
            return *out != NULL;
        }
        return 0;
    }
    if (eq(c[1], cl[1], "System") || eq(c[1], cl[1], "EventData") || eq(c[1], cl[1], "UserData")) {
        *out = c[k - 1];      /* leaf name: System.X, EventData.K, UserData.Root.K */
        *olen = cl[k - 1];
        return 1;
    }
    return 0;
}

static const struct { const char *path, *name; } ecs_map[] = {
    {"winlog.channel", "Channel"},
    {"winlog.provider_name", "Provider_Name"},
    {"winlog.provider_guid", "Provider_Guid"},
    {"winlog.computer_name", "Computer"},
    {"winlog.event_id", "EventID"},
    {"event.code", "EventID"},
    {"winlog.record_id", "EventRecordID"},
    {"winlog.process.pid", "Execution_ProcessID"},
    {"winlog.process.thread.id", "Execution_ThreadID"},
    {"winlog.user.identifier", "Security_UserID"},
    {"winlog.version", "Version"},
    {"winlog.task", "Task"},
    {"winlog.opcode", "Opcode"},
    {"winlog.keywords", "Keywords"},
    {"@timestamp", "TimeCreated_SystemTime"},
};

static const struct { const char *key, *name; } flat_map[] = {
    {"SourceName", "Provider_Name"},
    {"ProviderName", "Provider_Name"},
    {"ProviderGuid", "Provider_Guid"},
    {"Hostname", "Computer"},
    {"RecordNumber", "EventRecordID"},
    {"EventTime", "TimeCreated_SystemTime"},
    {"TimeCreated", "TimeCreated_SystemTime"},
    {"@timestamp", "TimeCreated_SystemTime"},
    {"ExecutionProcessID", "Execution_ProcessID"},
    {"UserID", "Security_UserID"},
};

static int detect_shape(const sp_jdoc *d)
{
    if (!d->top_is_object) return SP_JSHAPE_OTHER;
    int flat_win = 0;
    for (uint32_t i = 0; i < d->n; i++) {
        const sp_jleaf *l = &d->leaves[i];
        if (starts(l->path, l->path_len, "Event.System.") || starts(l->path, l->path_len, "Event.EventData"))
            return SP_JSHAPE_EVTX_DUMP;
        if (starts(l->path, l->path_len, "winlog.")) return SP_JSHAPE_ECS;
        if (l->depth == 1 && (eq(l->path, l->path_len, "EventID") || eq(l->path, l->path_len, "Channel")))
            flat_win = 1;
    }
    return flat_win ? SP_JSHAPE_FLAT : SP_JSHAPE_OTHER;
}

static void set_time(sp_jevent *ev, const sp_jleaf *l)
{
    int64_t ms;
    if (ev->time_ms == INT64_MIN && l->type == SP_J_STR && !sp_parse_iso_ms(l->val, l->val_len, &ms))
        ev->time_ms = ms;
}

int sp_jevent_parse(sp_jevent *ev, const char *line, size_t len, sp_arena *a, char *err, size_t errcap)
{
    memset(ev, 0, sizeof *ev);
    ev->time_ms = INT64_MIN;
    ev->line = line;
    ev->line_len = len;
    if (sp_json_parse(line, len, a, &ev->doc, err, errcap)) return -1;
    ev->shape = detect_shape(&ev->doc);
    uint32_t cap = 0;
    for (uint32_t i = 0; i < ev->doc.n; i++) {
        const sp_jleaf *l = &ev->doc.leaves[i];
        if (add_name(ev, a, &cap, l->path, l->path_len, i)) goto nomem;
        const char *nm = NULL;
        size_t nl = 0;
        switch (ev->shape) {
        case SP_JSHAPE_EVTX_DUMP:
            if (evtx_dump_name(a, l->path, l->path_len, &nm, &nl) && add_name(ev, a, &cap, nm, nl, i)) goto nomem;
            if (eq(l->path, l->path_len, "Event.System.TimeCreated.#attributes.SystemTime")) set_time(ev, l);
            break;
        case SP_JSHAPE_ECS:
            if (starts(l->path, l->path_len, "winlog.event_data.") || starts(l->path, l->path_len, "winlog.user_data.")) {
                const char *last = memrchr(l->path, '.', l->path_len) + 1;
                if (add_name(ev, a, &cap, last, l->path_len - (size_t)(last - l->path), i)) goto nomem;
            }
            for (size_t k = 0; k < sizeof ecs_map / sizeof *ecs_map; k++)
                if (eq(l->path, l->path_len, ecs_map[k].path) &&
                    add_name(ev, a, &cap, ecs_map[k].name, strlen(ecs_map[k].name), i)) goto nomem;
            if (eq(l->path, l->path_len, "@timestamp")) set_time(ev, l);
            break;
        case SP_JSHAPE_FLAT:
            for (size_t k = 0; k < sizeof flat_map / sizeof *flat_map; k++)
                if (eq(l->path, l->path_len, flat_map[k].key) &&
                    add_name(ev, a, &cap, flat_map[k].name, strlen(flat_map[k].name), i)) goto nomem;
            if (eq(l->path, l->path_len, "@timestamp") || eq(l->path, l->path_len, "EventTime") ||
                eq(l->path, l->path_len, "TimeCreated") || eq(l->path, l->path_len, "timestamp"))
                set_time(ev, l);
            break;
        default:
            if (eq(l->path, l->path_len, "@timestamp") || eq(l->path, l->path_len, "timestamp") ||
                eq(l->path, l->path_len, "ts") || eq(l->path, l->path_len, "time"))
                set_time(ev, l);
            break;
        }
    }
    return 0;
nomem:
    if (err && errcap) strncpy(err, "out of memory", errcap - 1), err[errcap - 1] = 0;
    return -1;
}

static void leaf_value(const sp_jleaf *l, sp_value *v)
{
    memset(v, 0, sizeof *v);
    v->str = l->val;
    v->len = l->val_len;
    switch (l->type) {
    case SP_J_NUM:
        v->is_int = sp_json_int(l->val, l->val_len, &v->i);
        break;
    case SP_J_NULL:
    case SP_J_EMPTY_OBJ:
    case SP_J_EMPTY_ARR:
        v->str = "";
        v->len = 0;
        v->is_null = 1;
        break;
    default:
        break;
    }
}

size_t sp_jevent_field(const sp_jevent *ev, const char *name, size_t len, sp_value *vals, size_t max)
{
    size_t n = 0;
    for (uint32_t i = 0; i < ev->nfields; i++) {
        const sp_jfield *f = &ev->fields[i];
        if (f->name_len != len || memcmp(f->name, name, len)) continue;
        if (n < max) leaf_value(&ev->doc.leaves[f->leaf], &vals[n]);
        n++;
    }
    return n;
}

static size_t j_field(const void *e, const char *name, size_t len, sp_value *vals, size_t max)
{
    return sp_jevent_field(e, name, len, vals, max);
}

static void j_each(const void *e, sp_field_fn fn, void *user)
{
    const sp_jevent *ev = e;
    for (uint32_t i = 0; i < ev->nfields; i++) {
        const sp_jfield *f = &ev->fields[i];
        sp_value v;
        leaf_value(&ev->doc.leaves[f->leaf], &v);
        if (fn(user, f->name, f->name_len, &v)) return;
    }
}

static int64_t j_time(const void *e) { return ((const sp_jevent *)e)->time_ms; }

void sp_event_from_json(sp_event *out, const sp_jevent *ev)
{
    memset(out, 0, sizeof *out);
    out->field = j_field;
    out->each = j_each;
    out->time_unix_ms = j_time;
    out->ev = ev;
}
