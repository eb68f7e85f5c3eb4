#define _GNU_SOURCE
#include "spur_system.h"

#include <dlfcn.h>

/* Start-up cost: Debian's libgit2 is built with mbedTLS, whose global initialisation (run by
   git_libgit2_init, which every spur command needs) parses the whole system CA bundle
   (/etc/ssl/certs/ca-certificates.crt, about 140 certificates): about 55 million instructions,
   15 ms, half of what `spur check` costs. spur never talks to a remote, so it never needs them.

   This definition takes the place of mbedTLS's for libgit2 (the executable comes first in the
   dynamic linker's search order, and the linker exports it because libgit2 refers to it). It
   loads nothing unless spur_need_tls_certificates(1) was called before libgit2's first use,
   in which case it hands over to mbedTLS's own function. A libgit2 built with another TLS
   library never calls it. */

static int tls_certificates_needed = 0;

void spur_need_tls_certificates(int needed) {
    tls_certificates_needed = needed;
}

int mbedtls_x509_crt_parse_file(void *chain, const char *path) {
    if (!tls_certificates_needed) return 0;
    int (*mbedtls_parse)(void *, const char *) =
        (int (*)(void *, const char *))dlsym(RTLD_NEXT, "mbedtls_x509_crt_parse_file");
    return mbedtls_parse ? mbedtls_parse(chain, path) : -1;
}
