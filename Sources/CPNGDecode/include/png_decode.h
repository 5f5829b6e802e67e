#ifndef PNG_DECODE_H
#define PNG_DECODE_H

#include <stddef.h>

/// Size of the message buffers the functions below fill on failure.
#define PNG_DECODE_MESSAGE_SIZE 160

/// Reads a PNG's header from memory. Returns 1 with the size, or 0 with a reason in `message`.
int png_decode_header(const unsigned char *data, size_t size, unsigned *width, unsigned *height,
                      char message[PNG_DECODE_MESSAGE_SIZE]);

/// Decodes a PNG of the given size (as `png_decode_header` reported it) to 8-bit RGB with any
/// transparency composited over white. `buffer` holds width * height * 4 bytes; on success the RGB
/// pixels occupy its first width * height * 3 bytes. Returns 1, or 0 with a reason in `message`.
int png_decode_rgb_over_white(const unsigned char *data, size_t size, unsigned width, unsigned height,
                              unsigned char *buffer, char message[PNG_DECODE_MESSAGE_SIZE]);

#endif
