/*
 * fuzz_hunt_input.c — libFuzzer target for everything `spoor hunt` reads:
 * the input is handed to sp_hunt_add_buffer, which sniffs it and goes
 * through the container readers (.gz/.zst/.zip, nested), the JSON-lines
 * and JSON-document readers and the EVTX reader, with a small ruleset
 * matching; the timeline is then written in both formats.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "spoor.h"

static const char rule[] =
    "title: fuzz\nid: 00000000-0000-4000-8000-00000000f022\nlogsource: {product: windows}\n"
    "detection:\n  sel: {CommandLine|contains: 'a'}\n  kw: ['x']\n  condition: sel or kw\nlevel: low\n";

static sp_ruleset *rs;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sp_error err;
    if (!rs) {
        if (sp_ruleset_new(NULL, &rs, &err) != SP_OK) return 0;
        sp_ruleset_add_yaml(rs, "fuzz.yml", rule, sizeof rule - 1, &err);
        sp_ruleset_compile(rs, &err);
    }
    sp_hunt_opts o;
    memset(&o, 0, sizeof o);
    o.threads = 1;
    sp_hunt *h;
    if (sp_hunt_new(rs, &o, &h, &err) != SP_OK) return 0;
    sp_hunt_add_buffer(h, "fuzz", data, size, &err);
    sp_hunt_finish(h, &err);
    FILE *devnull = fopen("/dev/null", "w");
    if (devnull) {
        sp_hunt_write_timeline_fp(h, devnull, SP_TL_JSONL, &err);
        sp_hunt_write_timeline_fp(h, devnull, SP_TL_CSV, &err);
        fclose(devnull);
    }
    sp_hunt_free(h);
    return 0;
}
