/*
 * fuzz_stix_bundle.c — libFuzzer target for the ATT&CK loader: the input is
 * whatever sp_kb_load_attack_mem accepts (a STIX bundle, spoor's KB file,
 * either gzip/zstd compressed; recognised by content).  When it loads, every
 * object, link, report and lookup is walked.  Must never crash, leak or hang.
 *
 *   make fuzz && bash fuzz/run.sh fuzz_stix_bundle 60
 */
#include <stdint.h>
#include <string.h>

#include "spoor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sp_kb *kb = NULL;
    sp_error err;
    if (sp_kb_new(&kb) != SP_OK) return 0;
    if (sp_kb_load_attack_mem(kb, data, size, "fuzz", &err) == SP_OK) {
        sp_kb_stats st;
        sp_kb_get_stats(kb, &st);
        size_t sum = strlen(st.attack_version) + strlen(st.notice);
        for (int k = 0; k < SP_KB__KINDS; k++)
            for (size_t i = 0; i < sp_kb_count(kb, (sp_kb_kind)k); i++) {
                const sp_kb_object *o = sp_kb_object_at(kb, (sp_kb_kind)k, i);
                size_t j;
                sum += strlen(o->id) + strlen(o->name);
                for (size_t a = 0; a < o->naliases; a++) sum += strlen(o->aliases[a]);
                if (sp_kb_lookup(kb, (sp_kb_kind)k, o->name, &j)) sum += j;
                for (size_t t = 0; t < o->ntactics; t++) sum += strlen(sp_kb_object_at(kb, SP_KB_TACTIC, o->tactics[t])->name);
                if (o->parent != SIZE_MAX) sum += strlen(sp_kb_object_at(kb, SP_KB_TECHNIQUE, o->parent)->id);
                for (int r = 0; r < SP_KB__RELS; r++)
                    for (int t = 0; t < SP_KB__KINDS; t++) {
                        const sp_kb_link *L;
                        size_t n = sp_kb_links(kb, (sp_kb_kind)k, i, (sp_kb_rel)r, (sp_kb_kind)t, &L);
                        for (size_t q = 0; q < n; q++) {
                            sum += strlen(sp_kb_object_at(kb, (sp_kb_kind)t, L[q].target)->id);
                            for (size_t p = 0; p < L[q].nreports; p++) sum += strlen(sp_kb_report_at(kb, L[q].reports[p])->url);
                        }
                    }
            }
        (void)sum;
    }
    sp_kb_free(kb);
    return 0;
}
