// jemalloc's public API (Debian builds it without a symbol prefix, so
// `mallctl` here is the same allocator that serves `malloc`).
#include <jemalloc/jemalloc.h>
