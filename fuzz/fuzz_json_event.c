/*
 * fuzz_json_event.c — libFuzzer target for the JSON-lines event reader: parse
 * the input as one event (every shape), look fields up, visit them all, and
 * re-emit the text through the JSONL sanitiser.
 */
#include <stddef.h>
#include <stdint.h>
#include "base/arena.h"
#include "base/buf.h"
#include "json/json_event.h"

static int visit(void *u, const char *n, size_t nl, const sp_value *v)
{
    (void)n; (void)nl;
    *(size_t *)u += v->len;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sp_arena a;
    sp_arena_init(&a, 4096);
    sp_jevent ev;
    char err[128];
    if (!sp_jevent_parse(&ev, (const char *)data, size, &a, err, sizeof err)) {
        sp_value v[4];
        sp_jevent_field(&ev, "EventID", 7, v, 4);
        sp_jevent_field(&ev, "CommandLine", 11, v, 4);
        sp_event e;
        sp_event_from_json(&e, &ev);
        size_t total = 0;
        e.each(e.ev, visit, &total);
        sp_buf b;
        sp_buf_init(&b);
        sp_json_sanitize(&b, (const char *)data, size);
        sp_buf_fini(&b);
    }
    sp_arena_fini(&a);
    return 0;
}
