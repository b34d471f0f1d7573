/*
 * dirlist.h — a folder's entries as full paths, sorted by name (byte order),
 * so every walk (rules, profiles, evidence) visits files in the same order
 * on every machine.  "." and ".." are never listed; with skip_hidden, no
 * name starting with '.' is.
 */
#ifndef SP_BASE_DIRLIST_H
#define SP_BASE_DIRLIST_H

#include <stddef.h>

/* 0 and *out, *n set (free with sp_dir_list_free), or -1 with errno set
 * (the folder cannot be opened or read to its end, or ENOMEM).  Read with
 * getdents64 (Linux). */
int sp_dir_list(const char *path, int skip_hidden, char ***out, size_t *n);
void sp_dir_list_free(char **names, size_t n);

/* The same, with each entry's type as the listing reports it (SP_DT_DIR,
 * SP_DT_REG, or SP_DT_OTHER: a link, a special file or unknown — stat it)
 * in *types (free() it), so a walk need not stat every folder. */
enum { SP_DT_OTHER = 0, SP_DT_DIR = 1, SP_DT_REG = 2 };
int sp_dir_list_typed(const char *path, int skip_hidden, char ***out, unsigned char **types, size_t *n);
/* The same for a folder the caller has open (O_DIRECTORY, at its start):
 * read with getdents64 straight from `dfd`, which stays open for lookups
 * relative to it (no second open, no fstat); names are still path/name. */
int sp_dir_list_fd(int dfd, const char *path, int skip_hidden, char ***out, unsigned char **types, size_t *n);

#endif
