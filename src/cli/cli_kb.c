/* cli_kb.c — loading the knowledge base the way every intel-using command
 * does (spoor intel, attribute, bench attribution): ATT&CK from --attack or
 * the shipped KB, then profiles unless --no-profiles. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cli_kb_load(const char *attack, int no_profiles, const char *profiles, sp_kb **out)
{
    sp_error err;
    memset(&err, 0, sizeof err);
    sp_kb *kb = NULL;
    *out = NULL;
    if (sp_kb_new(&kb) != SP_OK) return EX_NOINPUT;
    sp_status s;
    if (attack) s = sp_kb_load_attack(kb, attack, &err);
    else s = sp_kb_load_default(kb, 0, &err);
    if (s != SP_OK) {
        fprintf(stderr, "spoor: %s%s%s\n", err.file, err.file[0] ? ": " : "", err.msg);
        sp_kb_free(kb);
        return EX_NOINPUT;
    }
    if (!no_profiles) {
        char dir[4096], path[4200];
        const char *p = profiles;
        if (!p && sp_intel_dir(dir, sizeof dir)) {
            snprintf(path, sizeof path, "%s/profiles", dir);
            p = path;
        }
        if (!p) fprintf(stderr, "spoor: intel folder not found: no profiles loaded (set SPOOR_INTEL)\n");
        else {
            memset(&err, 0, sizeof err);
            if (sp_kb_add_profiles(kb, p, &err) != SP_OK)
                fprintf(stderr, "spoor: %s%s%s\n", err.file, err.file[0] ? ": " : "", err.msg);
        }
        for (size_t i = 0; i < sp_kb_rejection_count(kb); i++) {
            const sp_kb_rejection *r = sp_kb_rejection_at(kb, i);
            fprintf(stderr, "spoor: profile rejected: %s: %s\n", r->file, r->reason);
        }
    }
    *out = kb;
    return EX_OK;
}
