package lazylog

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// countingHandler counts WithAttrs calls on the handler it wraps.
type countingHandler struct {
	slog.Handler
	withAttrs *int
}

func (c countingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	*c.withAttrs++
	return countingHandler{c.Handler.WithAttrs(attrs), c.withAttrs}
}

func (c countingHandler) WithGroup(name string) slog.Handler {
	return countingHandler{c.Handler.WithGroup(name), c.withAttrs}
}

func TestDisabledRecordsFormatNothing(t *testing.T) {
	var buf bytes.Buffer
	calls := 0
	inner := countingHandler{slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn}), &calls}
	l := slog.New(New(inner))

	for i := 0; i < 100; i++ {
		l.With(slog.Any("args", []any{strings.Repeat("x", 1000)})).Debug(">>> INSERT")
	}

	if calls != 0 {
		t.Fatalf("inner WithAttrs called %d times for disabled records", calls)
	}
	if buf.Len() != 0 {
		t.Fatalf("disabled records were written: %q", buf.String())
	}
}

func TestEnabledRecordsKeepAttrsAndGroupsInOrder(t *testing.T) {
	var buf bytes.Buffer
	l := slog.New(New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn})))

	l.With("conn", 7).WithGroup("sql").With("table", "chats").Warn("slow", "ms", 12)

	got := buf.String()
	for _, want := range []string{"conn=7", "sql.table=chats", "sql.ms=12", "msg=slow"} {
		if !strings.Contains(got, want) {
			t.Fatalf("record %q lacks %q", got, want)
		}
	}
}
