#ifndef SPUR_SYSTEM_H
#define SPUR_SYSTEM_H

#include <sys/types.h>
#include <stdint.h>

/* Small Linux system calls and macros Swift cannot reach directly (variadic syscall(),
   glibc-only posix_spawn extensions, sigset macros). Each returns -1 and sets errno on failure. */

/* Starts argv[0] (searched in PATH) as the leader of a new session and process group, in `cwd`,
   with stdin from /dev/null and stdout+stderr appended to `output_fd`; `extra_fd` (or -1) is
   passed on as descriptor 3. Returns 0 and sets *pid, or an errno value. */
int spur_spawn_detached(const char *const argv[], const char *const envp[], const char *cwd,
                        int output_fd, int extra_fd, pid_t *pid);

/* A descriptor that becomes readable when process `pid` exits (Linux pidfd). */
int spur_pidfd_open(pid_t pid);

/* Blocks SIGTERM, SIGINT and SIGHUP in the calling thread (and threads it creates later) and
   returns a signalfd that reads them. */
int spur_signalfd_for_termination(void);

/* Reads one pending signal number from a signalfd, or -1. */
int spur_signalfd_read(int fd);

/* Waits up to timeout_ms (-1: forever) for any of fds[0..count) to become readable; returns
   the index of the first readable one, -2 on timeout, -1 on error. Retries on EINTR. */
int spur_poll_readable(const int *fds, int count, int timeout_ms);

/* The process's start time in clock ticks since boot (field 22 of /proc/PID/stat), 0 if gone.
   Together with the pid it names one process even after the pid is reused. */
uint64_t spur_process_start_ticks(pid_t pid);

/* 1 while the process `pid` that started at `start_ticks` exists and has not exited (a zombie
   or a dead process counts as gone), else 0. One read of /proc/PID/stat. */
int spur_process_is_running(pid_t pid, uint64_t start_ticks);

/* Makes standard input a fresh in-memory file (memfd, or else an unnamed file in /tmp) holding
   `count` bytes, read from its start, so a program exec'd next reads them as its input
   whatever their size. 0 on success, -1 with errno set (standard input unchanged). */
int spur_replace_stdin(const void *bytes, size_t count);

/* Decodes a waitpid status. */
int spur_wifexited(int status);
int spur_wexitstatus(int status);
int spur_wifsignaled(int status);
int spur_wtermsig(int status);

/* inotify: a new non-blocking-free descriptor, and a watch on `path` for `mask`. */
int spur_inotify_init(void);
int spur_inotify_watch(int fd, const char *path, uint32_t mask);
/* Drains pending inotify events (after poll said readable). */
void spur_inotify_drain(int fd);

#define SPUR_IN_MODIFY 0x00000002
#define SPUR_IN_CLOSE_WRITE 0x00000008
#define SPUR_IN_MOVED_TO 0x00000080
#define SPUR_IN_CREATE 0x00000100
#define SPUR_IN_DELETE 0x00000200
#define SPUR_IN_ATTRIB 0x00000004
#define SPUR_IN_MOVED_FROM 0x00000040
#define SPUR_IN_DELETE_SELF 0x00000400
#define SPUR_IN_MOVE_SELF 0x00000800
#define SPUR_IN_Q_OVERFLOW 0x00004000
#define SPUR_IN_IGNORED 0x00008000
#define SPUR_IN_ISDIR 0x40000000

/* A watch on the folder `path` (never a symlink to one) for every event that can change what
   the folder holds: entries created, deleted, moved in or out, written, closed after writing,
   or re-moded; and the folder's own deletion or move. Returns the watch descriptor or -1. */
int spur_inotify_watch_folder(int fd, const char *path);


/* pipe2(fds, O_CLOEXEC). */
int spur_pipe_cloexec(int fds[2]);
/* Whether libgit2's TLS set-up should load the system CA certificates (default: no, spur
   never talks to a remote). Call before libgit2's first use. See tls_certificates.c. */
void spur_need_tls_certificates(int needed);

/* Copying a file's bytes between two open descriptors, for a lane's included files (file_copy.c).
   spur_clone_file: ioctl(FICLONE), the destination shares the source's blocks copy-on-write
   (0, or -1 with errno EOPNOTSUPP/EXDEV/EINVAL where the filesystem cannot). spur_copy_range:
   copy_file_range(2) of up to `length` bytes from the current offsets; returns the bytes copied
   (0 at end of file) or -1. */
int spur_clone_file(int destination, int source);
ssize_t spur_copy_range(int source, int destination, size_t length);

#endif
