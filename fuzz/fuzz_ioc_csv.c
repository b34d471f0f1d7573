/*
 * fuzz_ioc_csv.c — libFuzzer target: the input is a CSV / plain list of
 * indicators; it is loaded (every line accounted for), compiled, and every
 * loaded value is looked up again and matched as several event fields.
 * Must never crash, leak or hang.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sp_intel *in;
    sp_error e;
    if (sp_intel_new(NULL, &in, &e) != SP_OK) return 0;
    sp_intel_load_mem(in, "fuzz.csv", (const char *)data, size, SP_INTEL_CSV, &e);
    if (sp_intel_compile(in, &e) == SP_OK) {
        const sp_intel_source *s = sp_intel_source_at(in, 0);
        if (s && s->records != s->loaded + s->skipped + s->ignored) abort();   /* every line accounted for */
        static const char *const fields[] = {"IpAddress", "QueryName", "CommandLine", "Hashes", "Image",
                                             "TargetObject", "PipeName", "url", "Other"};
        sp_ioc_hit h[8];
        size_t n = sp_intel_count(in) < 200 ? sp_intel_count(in) : 200;
        for (size_t i = 0; i < n; i++) {
            const sp_ioc *o = sp_intel_ioc(in, i);
            size_t vl = strlen(o->value);
            if (o->type != SP_IOC_PATTERN && !sp_intel_lookup(in, o->type, o->value, vl, h, 8) &&
                o->type != SP_IOC_FILEPATH && o->type != SP_IOC_REGKEY && o->type != SP_IOC_PIPE &&
                o->type != SP_IOC_FILENAME && o->type != SP_IOC_MUTEX) {
                fprintf(stderr, "loaded %s '%s' does not find itself\n", sp_ioc_type_name(o->type), o->value);
                abort();   /* a loaded value finds itself */
            }
            for (size_t f = 0; f < sizeof fields / sizeof *fields; f++)
                sp_intel_match_field(in, fields[f], strlen(fields[f]), o->value, vl, h, 8);
        }
        sp_intel_match_field(in, "CommandLine", 11, (const char *)data, size, h, 8);
    }
    sp_intel_free(in);
    return 0;
}
