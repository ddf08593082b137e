// jemalloc's public API (Debian builds it without a symbol prefix, so
// `mallctl` here is the same allocator that serves `malloc`, *if* the
// dynamic linker bound `malloc` to jemalloc: Probes checks that at run time).
//
// Swift code calls only the `cjemalloc_` helpers below, never `malloc`,
// `free` or `mallctl` directly: jemalloc.h redeclares the C allocation
// functions that Glibc also exports to Swift, and keeping every call here
// avoids ambiguity and keeps the C details (sizes, pointers) in C.
// Nothing below needs jemalloc's header (mallctl is looked up at run time,
// and the one constant used, MALLCTL_ARENAS_ALL, is spelled out in Swift), so
// the package builds the same with or without libjemalloc-dev: whether
// jemalloc serves `malloc` is decided when the process starts (flagstorm
// re-executes itself under LD_PRELOAD when libjemalloc.so.2 is present) and
// verified by Probes, never decided at build time.
#include <dlfcn.h>
#include <stdlib.h>
#include <errno.h>
#include <malloc.h>
#include <gnu/libc-version.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// `mallctl`, looked up at run time in the process's global scope rather
// than referenced at link time: the first `mallctl` found belongs to the
// jemalloc the process loaded (linked or LD_PRELOADed), and a process without
// jemalloc gets ENOENT instead of an undefined symbol. So Probes keeps working,
// and says "not jemalloc", if a build stops linking jemalloc (as
// ThreadSanitizer builds should: TSan takes malloc and free but not operator
// new, which then binds to jemalloc's, and the mix crashes before main).
typedef int (*cjemalloc_mallctl_function)(const char *, void *, size_t *, void *, size_t);

static inline int cjemalloc_mallctl(const char *name, void *old_value, size_t *old_length, void *new_value,
                                    size_t new_length) {
    // (void *)0 is RTLD_DEFAULT, which <dlfcn.h> names only under _GNU_SOURCE.
    cjemalloc_mallctl_function function = (cjemalloc_mallctl_function)dlsym((void *)0, "mallctl");
    if (function == NULL) {
        return ENOENT;
    }
    return function(name, old_value, old_length, new_value, new_length);
}

// Reads a `uint64_t` control such as "thread.allocated"; returns mallctl's
// error code (0 on success).
static inline int cjemalloc_read_uint64(const char *name, uint64_t *value) {
    size_t length = sizeof(*value);
    return cjemalloc_mallctl(name, value, &length, NULL, 0);
}

// Reads a `size_t` control such as "stats.allocated".
static inline int cjemalloc_read_size(const char *name, size_t *value) {
    size_t length = sizeof(*value);
    return cjemalloc_mallctl(name, value, &length, NULL, 0);
}

// Reads a `bool` control such as "config.stats".
static inline int cjemalloc_read_bool(const char *name, bool *value) {
    size_t length = sizeof(*value);
    return cjemalloc_mallctl(name, value, &length, NULL, 0);
}

// Reads a string control such as "version" (the string is jemalloc's own,
// static; do not free it).
static inline int cjemalloc_read_string(const char *name, const char **value) {
    size_t length = sizeof(*value);
    return cjemalloc_mallctl(name, (void *)value, &length, NULL, 0);
}

// Runs a control that takes no arguments, such as "thread.tcache.flush" or
// "arena.4096.purge".
static inline int cjemalloc_run(const char *name) {
    return cjemalloc_mallctl(name, NULL, NULL, NULL, 0);
}

// Advances jemalloc's statistics epoch, so that "stats.*" reads are fresh
// (jemalloc caches merged statistics until the epoch moves).
static inline int cjemalloc_advance_epoch(void) {
    uint64_t epoch = 1;
    size_t length = sizeof(epoch);
    return cjemalloc_mallctl("epoch", &epoch, &length, &epoch, length);
}

// The process's `malloc` and `free`, whichever the dynamic linker bound them
// to (jemalloc, glibc, or a sanitizer's interceptor). Called through volatile
// function pointers so the compiler cannot recognise the pair and elide an
// allocation whose pointer is never used (LLVM does that for plain calls).
static inline void *cjemalloc_process_malloc(size_t size) {
    void *(*volatile allocate)(size_t) = malloc;
    return allocate(size);
}

static inline void cjemalloc_process_free(void *pointer) {
    void (*volatile deallocate)(void *) = free;
    deallocate(pointer);
}

// glibc's own count of bytes handed out by its malloc and not yet freed:
// chunks in use in every arena (`mallinfo2().uordblks`, which glibc sums over
// all arenas) plus chunks served by mmap (`hblkhd`). It rises by an
// allocation's size only if glibc's malloc served it; under jemalloc it reads
// glibc's idle arena, and a sanitizer may stub it. Freed chunks parked in a
// thread's tcache still count as in use (at most 7 per size class per thread).
static inline size_t cjemalloc_glibc_in_use_bytes(void) {
    struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
}

// Returns free memory at the top of glibc's heaps to the system (steadies RSS
// between leak readings, as jemalloc's purge does); 1 if memory was released.
static inline int cjemalloc_glibc_trim(void) {
    return malloc_trim(0);
}

// glibc's version ("2.36"), for the report's allocator name.
static inline const char *cjemalloc_glibc_version(void) {
    return gnu_get_libc_version();
}
