#define _GNU_SOURCE
#include "spur_system.h"
#include <sys/ioctl.h>
#include <linux/fs.h>
#include <unistd.h>

int spur_clone_file(int destination, int source) {
    return ioctl(destination, FICLONE, source);
}

ssize_t spur_copy_range(int source, int destination, size_t length) {
    return copy_file_range(source, NULL, destination, NULL, length, 0);
}
