/** Helpers of the decoders: canonical Huffman decoding tables. Not a public API. */
package dev.vdisk.codec.internal;
