/* dirlist.c — see dirlist.h. */
#include "base/dirlist.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* entries carry their type in the byte before the name while sorting */

void sp_dir_list_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
}

static int list(const char *path, int skip_hidden, char ***out, unsigned char **types, size_t *nout)
{
    *out = NULL;
    *nout = 0;
    if (types) *types = NULL;
    DIR *d = opendir(path);
    if (!d) return -1;
    char **names = NULL;
    size_t n = 0, cap = 0, pl = strlen(path);
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *nm = e->d_name;
        if (nm[0] == '.' && (skip_hidden || !nm[1] || (nm[1] == '.' && !nm[2]))) continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            char **nn = realloc(names, nc * sizeof *nn);
            if (!nn) { rc = -1; break; }
            names = nn;
            cap = nc;
        }
        size_t l = pl + strlen(nm) + 2;
        char *m = malloc(l + 1);
        if (!m) { rc = -1; break; }
        m[0] = (char)(e->d_type == DT_DIR ? SP_DT_DIR : e->d_type == DT_REG ? SP_DT_REG : SP_DT_OTHER);
        snprintf(m + 1, l, "%s/%s", path, nm);
        names[n++] = m + 1;
    }
    closedir(d);
    unsigned char *t = NULL;
    if (!rc && types && !(t = malloc(n ? n : 1))) rc = -1;
    if (rc) {
        for (size_t i = 0; i < n; i++) free(names[i] - 1);
        free(names);
        errno = ENOMEM;
        return -1;
    }
    if (n) qsort(names, n, sizeof *names, cmp_name);
    /* hand out plain strings: move each name to its own block's start */
    for (size_t i = 0; i < n; i++) {
        char *m = names[i] - 1;
        if (t) t[i] = (unsigned char)m[0];
        memmove(m, names[i], strlen(names[i]) + 1);
        names[i] = m;
    }
    if (types) *types = t;
    *out = names;
    *nout = n;
    return 0;
}

int sp_dir_list(const char *path, int skip_hidden, char ***out, size_t *nout)
{
    return list(path, skip_hidden, out, NULL, nout);
}

int sp_dir_list_typed(const char *path, int skip_hidden, char ***out, unsigned char **types, size_t *nout)
{
    return list(path, skip_hidden, out, types, nout);
}
