// C helpers kept out of the Go files' preambles: a file with //export may only
// declare C functions, not define them.
#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>
#include "include/shim.h"

// Go's plugin package needs the shim's own symbols in the global namespace
// (golang/go#18123), but Deno and Bun dlopen with local scope. Re-open our own
// file with RTLD_GLOBAL before the first plugin.Open.
int shim_promote_global(void) {
  Dl_info info;
  if (!dladdr((void *)shim_promote_global, &info) || info.dli_fname == NULL) return -1;
  void *h = dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_GLOBAL);
  return h == NULL ? -2 : 0;
}

/* Before shim_init there is nobody to tell: completions wait in the queue. */
void shim_fire(shim_on_complete f, uint32_t call_id) {
  if (f) f(call_id);
}
