/*
 * fuzz_profile.c — libFuzzer target for the actor-profile loader: the input
 * is one profile YAML file, added to a knowledge base holding a tiny ATT&CK
 * set (tests/unit/kb_util.h) and then to an empty one; every claim of a
 * loaded profile is walked.  Must never crash, leak or hang; a broken
 * profile must be rejected with a reason.
 *
 *   make fuzz && bash fuzz/run.sh fuzz_profile 60
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spoor.h"
#include "../tests/unit/kb_util.h"

static void walk(sp_kb *kb)
{
    size_t sum = 0;
    for (size_t i = 0; i < sp_kb_rejection_count(kb); i++) {
        const sp_kb_rejection *r = sp_kb_rejection_at(kb, i);
        if (!r->reason[0]) abort();     /* a rejection always says why */
        sum += strlen(r->file);
    }
    for (size_t i = 0; i < sp_kb_count(kb, SP_KB_GROUP); i++) {
        const sp_kb_profile *p = sp_kb_object_at(kb, SP_KB_GROUP, i)->profile;
        if (!p) continue;
        for (size_t c = 0; c < p->nclaims; c++) {
            sum += strlen(p->claims[c].field) + strlen(p->claims[c].value) + strlen(p->claims[c].note);
            for (size_t r = 0; r < p->claims[c].nreports; r++) sum += strlen(sp_kb_report_at(kb, p->claims[c].reports[r])->url);
        }
        for (size_t m = 0; m < p->nmalware; m++) sum += strlen(p->malware[m]);
        const sp_kb_link *L;
        size_t n = sp_kb_links(kb, SP_KB_GROUP, i, SP_KB_USES, SP_KB_TECHNIQUE, &L);
        for (size_t q = 0; q < n; q++) sum += L[q].nreports;
    }
    (void)sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sp_kb *kb = NULL;
    sp_error err;
    if (sp_kb_new(&kb) != SP_OK) return 0;
    if (sp_kb_load_attack_mem(kb, kb_file, strlen(kb_file), "tiny", &err) == SP_OK) {
        sp_kb_add_profile_yaml(kb, "fuzz.yml", (const char *)data, size, &err);
        sp_kb_add_profile_yaml(kb, "again.yml", (const char *)data, size, &err);  /* duplicates */
        walk(kb);
    }
    sp_kb_free(kb);
    if (sp_kb_new(&kb) != SP_OK) return 0;
    sp_kb_add_profile_yaml(kb, "alone.yml", (const char *)data, size, &err);
    walk(kb);
    sp_kb_free(kb);
    return 0;
}
