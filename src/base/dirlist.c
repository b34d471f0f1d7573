/* dirlist.c — see dirlist.h. */
#include "base/dirlist.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

void sp_dir_list_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
}

int sp_dir_list(const char *path, int skip_hidden, char ***out, size_t *nout)
{
    *out = NULL;
    *nout = 0;
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
        if (!(names[n] = malloc(l))) { rc = -1; break; }
        snprintf(names[n], l, "%s/%s", path, nm);
        n++;
    }
    closedir(d);
    if (rc) {
        sp_dir_list_free(names, n);
        errno = ENOMEM;
        return -1;
    }
    if (n) qsort(names, n, sizeof *names, cmp_name);
    *out = names;
    *nout = n;
    return 0;
}
