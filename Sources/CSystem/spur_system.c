#define _GNU_SOURCE
#include "spur_system.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int spur_spawn_detached(const char *const argv[], const char *const envp[], const char *cwd,
                        int output_fd, int extra_fd, pid_t *pid) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    int result = posix_spawn_file_actions_init(&actions);
    if (result != 0) return result;
    result = posix_spawnattr_init(&attributes);
    if (result != 0) { posix_spawn_file_actions_destroy(&actions); return result; }

    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGHUP);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGCHLD);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    if (extra_fd >= 0 && extra_fd != 3) posix_spawn_file_actions_adddup2(&actions, extra_fd, 3);
    posix_spawn_file_actions_adddup2(&actions, output_fd, 1);
    posix_spawn_file_actions_adddup2(&actions, output_fd, 2);
    if (cwd != NULL) posix_spawn_file_actions_addchdir_np(&actions, cwd);
    /* Nothing else the caller has open may leak into a long-lived detached process: a pipe
       someone else reads to EOF would never see it. */
    posix_spawn_file_actions_addclosefrom_np(&actions, extra_fd >= 0 ? 4 : 3);

    result = posix_spawnp(pid, argv[0], &actions, &attributes, (char *const *)argv, (char *const *)envp);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    return result;
}

int spur_pidfd_open(pid_t pid) {
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

int spur_signalfd_for_termination(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0) return -1;
    return signalfd(-1, &set, SFD_CLOEXEC);
}

int spur_signalfd_read(int fd) {
    struct signalfd_siginfo info;
    ssize_t n = read(fd, &info, sizeof info);
    return n == (ssize_t)sizeof info ? (int)info.ssi_signo : -1;
}

int spur_poll_readable(const int *fds, int count, int timeout_ms) {
    struct pollfd entries[16];
    if (count > 16) count = 16;
    for (int i = 0; i < count; i++) { entries[i].fd = fds[i]; entries[i].events = POLLIN; entries[i].revents = 0; }
    for (;;) {
        int n = poll(entries, (nfds_t)count, timeout_ms);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        if (n == 0) return -2;
        for (int i = 0; i < count; i++) if (entries[i].revents != 0) return i;
        return -1;
    }
}

/* Reads /proc/PID/stat: the state letter (field 3) and the start time (field 22); 0 if gone. */
static int read_process_stat(pid_t pid, char *state, uint64_t *start_ticks) {
    char path[64], buffer[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *file = fopen(path, "re");
    if (file == NULL) return 0;
    size_t n = fread(buffer, 1, sizeof buffer - 1, file);
    fclose(file);
    buffer[n] = 0;
    /* The command name (field 2) may contain spaces and parentheses: start after the last ')'. */
    char *p = strrchr(buffer, ')');
    if (p == NULL || p[1] != ' ' || p[2] == 0) return 0;
    *state = p[2];
    p++;
    /* p is now before field 3; field 22 is 19 fields further on. */
    for (int field = 3; field < 22 && p != NULL; field++) {
        p = strchr(p + 1, ' ');
    }
    if (p == NULL) return 0;
    *start_ticks = strtoull(p + 1, NULL, 10);
    return 1;
}

uint64_t spur_process_start_ticks(pid_t pid) {
    char state;
    uint64_t ticks;
    return read_process_stat(pid, &state, &ticks) ? ticks : 0;
}

int spur_process_is_running(pid_t pid, uint64_t start_ticks) {
    char state;
    uint64_t ticks;
    if (!read_process_stat(pid, &state, &ticks) || ticks == 0 || ticks != start_ticks) return 0;
    return state != 'Z' && state != 'X';
}

int spur_replace_stdin(const void *bytes, size_t count) {
    int fd = memfd_create("spur-hook-input", MFD_CLOEXEC);
    if (fd < 0) fd = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) return -1;
    const char *next = bytes;
    size_t left = count;
    while (left > 0) {
        ssize_t written = write(fd, next, left);
        if (written < 0) {
            if (errno == EINTR) continue;
            int saved = errno;
            close(fd);
            errno = saved;
            return -1;
        }
        next += written;
        left -= (size_t)written;
    }
    if (lseek(fd, 0, SEEK_SET) != 0 || dup2(fd, 0) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    close(fd);
    return 0;
}

int spur_wifexited(int status) { return WIFEXITED(status); }
int spur_wexitstatus(int status) { return WEXITSTATUS(status); }
int spur_wifsignaled(int status) { return WIFSIGNALED(status); }
int spur_wtermsig(int status) { return WTERMSIG(status); }

int spur_inotify_init(void) { return inotify_init1(IN_CLOEXEC | IN_NONBLOCK); }
int spur_inotify_watch(int fd, const char *path, uint32_t mask) { return inotify_add_watch(fd, path, mask); }
int spur_inotify_watch_folder(int fd, const char *path) {
    return inotify_add_watch(fd, path, IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB | IN_MOVED_FROM
                                       | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW);
}
void spur_inotify_drain(int fd) {
    char buffer[4096];
    while (read(fd, buffer, sizeof buffer) > 0) {}
}

int spur_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

_Static_assert(SPUR_IN_MODIFY == IN_MODIFY && SPUR_IN_CLOSE_WRITE == IN_CLOSE_WRITE && SPUR_IN_MOVED_TO == IN_MOVED_TO
               && SPUR_IN_CREATE == IN_CREATE && SPUR_IN_DELETE == IN_DELETE && SPUR_IN_ATTRIB == IN_ATTRIB
               && SPUR_IN_MOVED_FROM == IN_MOVED_FROM && SPUR_IN_DELETE_SELF == IN_DELETE_SELF
               && SPUR_IN_MOVE_SELF == IN_MOVE_SELF && SPUR_IN_Q_OVERFLOW == IN_Q_OVERFLOW
               && SPUR_IN_IGNORED == IN_IGNORED && SPUR_IN_ISDIR == IN_ISDIR,
               "spur's inotify constants match the kernel's");
