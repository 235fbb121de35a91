package dev.vdisk.report;

import java.io.IOException;
import java.io.Writer;

/**
 * Writes HTML text and attribute values with every markup character escaped. Characters that
 * cannot appear in an HTML (or XML) document — C0 controls other than tab, line feed and carriage
 * return, lone surrogates, U+FFFE and U+FFFF — are written as U+FFFD.
 */
final class HtmlWriter {
  private final Writer out;

  HtmlWriter(Writer out) {
    this.out = out;
  }

  /** Writes markup as given: only for constant strings of this package. */
  HtmlWriter raw(String markup) throws IOException {
    out.write(markup);
    return this;
  }

  /** Writes text (element content or a quoted attribute value), escaped; null writes nothing. */
  HtmlWriter text(String s) throws IOException {
    if (s == null) {
      return this;
    }
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> out.write("&amp;");
        case '<' -> out.write("&lt;");
        case '>' -> out.write("&gt;");
        case '"' -> out.write("&quot;");
        case '\'' -> out.write("&#39;");
        case '\t', '\n', '\r' -> out.write(c);
        default -> {
          if (c < 0x20 || c == 0x7f || c == 0xfffe || c == 0xffff) {
            out.write('\ufffd');
          } else if (Character.isHighSurrogate(c)) {
            if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
              out.write(c);
              out.write(s.charAt(++i));
            } else {
              out.write('\ufffd');
            }
          } else if (Character.isLowSurrogate(c)) {
            out.write('\ufffd');
          } else {
            out.write(c);
          }
        }
      }
    }
    return this;
  }

  /** Writes a number. */
  HtmlWriter num(long n) throws IOException {
    out.write(Long.toString(n));
    return this;
  }

  /** Writes {@code <tag class="cls">text</tag>}. */
  HtmlWriter element(String tag, String cls, String text) throws IOException {
    out.write('<');
    out.write(tag);
    if (cls != null) {
      out.write(" class=\"");
      text(cls);
      out.write('"');
    }
    out.write('>');
    text(text);
    out.write("</");
    out.write(tag);
    out.write('>');
    return this;
  }
}
