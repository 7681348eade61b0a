package io.finsent.ingest.archive;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Set;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.databind.MappingIterator;

/**
 * Reads an archive file row by row with line numbers and each row's original bytes, so a bad row can
 * be reported by line and dead-lettered as it was. Files must be UTF-8 (a UTF-8 byte order mark is
 * skipped; a UTF-16 or UTF-32 one fails the file with what to do). A row that is not valid UTF-8, not
 * one JSON object, longer than the row limit, or a CSV record with the wrong number of fields comes
 * back with its error: the reader never stops at a bad row. Blank lines are counted, not returned.
 */
public final class ArchiveReader implements Closeable {

    /** The news_stream fields; a CSV header needs published_at, source and a text column. */
    public static final List<String> FIELDS = List.of("id", "published_at", "source", "tickers", "headline", "url");
    private static final Set<String> TEXT_COLUMNS = Set.of("headline", "title", "body", "text");

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final CsvMapper CSV = CsvMapper.builder().enable(CsvParser.Feature.WRAP_AS_ARRAY).build();

    private final Path file;
    private final ArchiveFormat format;
    private final int maxRowBytes;
    private final InputStream in;
    private long nextLine = 1;
    private long blankLines;
    private List<String> header;
    private ArchiveRow pending;
    private boolean eof;

    private ArchiveReader(Path file, ArchiveFormat format, int maxRowBytes, InputStream in) {
        this.file = file;
        this.format = format;
        this.maxRowBytes = maxRowBytes;
        this.in = in;
    }

    public static ArchiveReader open(Path file, ArchiveFormat format, int maxRowBytes) {
        InputStream in;
        try {
            in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        } catch (NoSuchFileException e) {
            throw new ArchiveFormatException(file + ": no such file");
        } catch (IOException e) {
            throw new ArchiveFormatException(file + ": cannot read: " + e.getMessage(), e);
        }
        ArchiveReader reader = new ArchiveReader(file, format, maxRowBytes, in);
        try {
            reader.skipByteOrderMark();
            if (format == ArchiveFormat.CSV) {
                reader.readHeader();
            }
            return reader;
        } catch (RuntimeException e) {
            reader.close();
            throw e;
        }
    }

    /** Counts the lines of a file (a fast byte scan), for a progress bar's total. */
    public static long countLines(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ArchiveFormatException(file + ": no such file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            long lines = 0;
            int n;
            int last = '\n';
            while ((n = in.read(buf)) > 0) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        lines++;
                    }
                }
                last = buf[n - 1];
            }
            return last == '\n' ? lines : lines + 1;
        } catch (IOException e) {
            throw new ArchiveFormatException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    public boolean hasNext() {
        if (pending == null && !eof) {
            pending = readRow();
        }
        return pending != null;
    }

    public ArchiveRow next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        ArchiveRow row = pending;
        pending = null;
        return row;
    }

    public long blankLines() {
        return blankLines;
    }

    public Path file() {
        return file;
    }

    private void skipByteOrderMark() {
        try {
            in.mark(4);
            byte[] head = in.readNBytes(4);
            in.reset();
            if (head.length >= 3 && (head[0] & 0xFF) == 0xEF && (head[1] & 0xFF) == 0xBB && (head[2] & 0xFF) == 0xBF) {
                in.skipNBytes(3);
                return;
            }
            if (head.length >= 2 && ((head[0] & 0xFF) == 0xFF && (head[1] & 0xFF) == 0xFE || (head[0] & 0xFF) == 0xFE && (head[1] & 0xFF) == 0xFF)
                    || head.length == 4 && head[0] == 0 && head[1] == 0 && (head[2] & 0xFF) == 0xFE && (head[3] & 0xFF) == 0xFF) {
                throw new ArchiveFormatException(file + ": the file is UTF-16 or UTF-32 (it starts with a byte order mark); archives must be UTF-8:"
                        + " convert it first, e.g. iconv -f UTF-16 -t UTF-8 " + file.getFileName() + " > converted." + format.name().toLowerCase(Locale.ROOT));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read", e);
        }
    }

    private void readHeader() {
        while (true) {
            PhysicalRecord record = readRecord();
            if (record == null) {
                throw new ArchiveFormatException(file + ": empty CSV file; the first row must be a header such as " + String.join(",", FIELDS));
            }
            if (record.error != null) {
                throw new ArchiveFormatException(file + ": line " + record.line + ": cannot read the CSV header: " + record.error);
            }
            if (record.text.isBlank()) {
                continue;
            }
            List<String> columns;
            try {
                columns = parseCsv(record.text);
            } catch (JacksonException e) {
                throw new ArchiveFormatException(file + ": line " + record.line + ": the CSV header is not valid CSV: " + e.getOriginalMessage());
            }
            header = columns.stream().map(c -> c.strip().toLowerCase(Locale.ROOT)).toList();
            List<String> missing = new ArrayList<>();
            for (String required : List.of("published_at", "source")) {
                if (!header.contains(required)) {
                    missing.add(required);
                }
            }
            if (header.stream().noneMatch(TEXT_COLUMNS::contains)) {
                missing.add("headline (or title, body, text)");
            }
            if (!missing.isEmpty()) {
                throw new ArchiveFormatException(file + ": the CSV header (" + String.join(",", header) + ") lacks " + String.join(", ", missing)
                        + "; expected a header such as " + String.join(",", FIELDS));
            }
            return;
        }
    }

    private ArchiveRow readRow() {
        while (true) {
            PhysicalRecord record = readRecord();
            if (record == null) {
                eof = true;
                return null;
            }
            if (record.error != null) {
                return new ArchiveRow(record.line, record.bytes, null, record.error);
            }
            if (record.text.isBlank()) {
                blankLines++;
                continue;
            }
            return format == ArchiveFormat.JSONL ? jsonRow(record) : csvRow(record);
        }
    }

    private ArchiveRow jsonRow(PhysicalRecord record) {
        try {
            JsonNode node = JSON.readTree(record.text);
            if (!node.isObject()) {
                return new ArchiveRow(record.line, record.bytes, null, "not a JSON object but a JSON " + node.getNodeType().name().toLowerCase(Locale.ROOT));
            }
            return new ArchiveRow(record.line, record.bytes, node, null);
        } catch (JacksonException e) {
            return new ArchiveRow(record.line, record.bytes, null, "invalid JSON: " + firstLine(e.getOriginalMessage()));
        }
    }

    private ArchiveRow csvRow(PhysicalRecord record) {
        List<String> values;
        try {
            values = parseCsv(record.text);
        } catch (JacksonException e) {
            return new ArchiveRow(record.line, record.bytes, null, "invalid CSV: " + firstLine(e.getOriginalMessage()));
        }
        if (values.size() != header.size()) {
            return new ArchiveRow(record.line, record.bytes, null,
                    "has " + values.size() + " fields, the header has " + header.size() + " (" + String.join(",", header) + ")");
        }
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        for (int i = 0; i < header.size(); i++) {
            String value = values.get(i);
            // An empty cell is an absent value, as in JSON without the field.
            if (value != null && !value.isEmpty()) {
                node.put(header.get(i), value);
            }
        }
        return new ArchiveRow(record.line, record.bytes, node, null);
    }

    private static List<String> parseCsv(String text) throws JacksonException {
        try (MappingIterator<String[]> it = CSV.readerFor(String[].class).readValues(text)) {
            if (!it.hasNextValue()) {
                return List.of();
            }
            String[] values = it.nextValue();
            if (it.hasNextValue()) {
                throw new com.fasterxml.jackson.core.JsonParseException(null, "more than one CSV record on the line");
            }
            return Arrays.asList(values);
        } catch (JacksonException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String firstLine(String message) {
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    /** One record's bytes: a line, or for CSV as many lines as a quoted field spans. */
    private record PhysicalRecord(long line, byte[] bytes, String text, String error) {
    }

    private PhysicalRecord readRecord() {
        long startLine = nextLine;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long total = 0;
        boolean inQuotes = false;
        boolean sawAny = false;
        try {
            while (true) {
                int b = in.read();
                if (b < 0) {
                    if (!sawAny) {
                        return null;
                    }
                    break;
                }
                sawAny = true;
                total++;
                if (total <= maxRowBytes) {
                    bytes.write(b);
                }
                if (b == '"' && format == ArchiveFormat.CSV) {
                    inQuotes = !inQuotes;
                }
                if (b == '\n') {
                    nextLine++;
                    // An unterminated quote must not swallow the rest of the file: stop at the row limit.
                    if (!inQuotes || total > maxRowBytes) {
                        break;
                    }
                }
            }
        } catch (IOException e) {
            throw new ArchiveFormatException(file + ": cannot read at line " + startLine + ": " + e.getMessage(), e);
        }
        byte[] raw = stripLineEnd(bytes.toByteArray());
        if (total > maxRowBytes) {
            return new PhysicalRecord(startLine, raw, null, "row of " + total + " bytes, more than the limit of " + maxRowBytes + " bytes");
        }
        if (inQuotes) {
            return new PhysicalRecord(startLine, raw, null, "unterminated quoted CSV field (a \" without its closing \")");
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer buffer = ByteBuffer.wrap(raw);
        try {
            CharBuffer chars = decoder.decode(buffer);
            return new PhysicalRecord(startLine, raw, chars.toString(), null);
        } catch (CharacterCodingException e) {
            return new PhysicalRecord(startLine, raw, null, "not valid UTF-8 at byte " + (firstInvalidUtf8(raw) + 1)
                    + " of the row; archives must be UTF-8 (convert with iconv -f YOUR-ENCODING -t UTF-8)");
        }
    }

    private static int firstInvalidUtf8(byte[] raw) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(raw);
        CharBuffer out = CharBuffer.allocate(raw.length + 1);
        decoder.decode(in, out, true);
        return in.position();
    }

    private static byte[] stripLineEnd(byte[] raw) {
        int end = raw.length;
        if (end > 0 && raw[end - 1] == '\n') {
            end--;
        }
        if (end > 0 && raw[end - 1] == '\r') {
            end--;
        }
        return end == raw.length ? raw : Arrays.copyOf(raw, end);
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            // nothing was written; a failure to close a read-only stream loses nothing
        }
    }
}
