/*
 * fuzz_evtx.c — libFuzzer target for the EVTX reader: open the input as an
 * in-memory EVTX file (with and without carving), decode every record and
 * render it as JSON and XML and read its fields.  Any crash, leak, hang or
 * sanitizer report is a bug.
 *
 *   make fuzz && build-fuzz/fuzz_evtx -max_total_time=60 fuzz/corpus/evtx
 */
#include <stddef.h>
#include <stdint.h>
#include "spoor.h"

static int on_record(void *user, unsigned worker, const sp_record *r, sp_buf *out)
{
    (void)user; (void)worker;
    sp_record_json(r, out);
    sp_record_xml(r, out);
    sp_value v[4];
    sp_record_field(r, "EventID", 7, v, 4);
    sp_record_field(r, "Channel", 7, v, 4);
    /* every field by position (field plans, one-value rendering) */
    size_t nf = sp_record_field_count(r), nl;
    for (size_t i = 0; i < nf; i++) {
        const char *nm = sp_record_field_name(r, i, &nl);
        if (nl) sp_buf_append(out, nm, nl);
        size_t nv = sp_record_field_values(r, i, v, 4);
        for (size_t k = 0; k < nv && k < 4; k++) sp_buf_append(out, v[k].str, v[k].len);
    }
    (void)sp_record_event_id(r);
    sp_buf_reset(out); /* keep memory flat */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int recover = 0; recover <= 1; recover++) {
        sp_evtx_opts o = {0};
        o.threads = 1;
        o.recover = recover;
        sp_evtx *f;
        sp_error err;
        if (sp_evtx_open_mem(data, size, "fuzz", &o, &f, &err) != SP_OK) return 0;
        sp_evtx_scan(f, on_record, NULL, NULL, &err);
        sp_evtx_close(f);
    }
    return 0;
}
