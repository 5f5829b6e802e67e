// Declared by <pthread.h> only under _GNU_SOURCE, so not visible through Swift's Glibc module:
// names threads (http-io, http-worker-N, mobilenet-N) for top -H and debuggers.
int pthread_setname_np(unsigned long thread, const char *name);
