// Package lazylog wraps a slog.Handler so that attributes added with Logger.With are formatted
// only when a record is actually written.
//
// FerretDB v1.24.2 calls Logger.With with every SQL statement's arguments (whole documents as
// JSON) before each debug message, even when debug logging is off. slog's text and JSON
// handlers format such attributes eagerly in WithAttrs, which cost about a fifth of FerretDB's
// CPU while newsrelay built digests. A wrapped handler keeps the attributes and hands them to
// the real handler only in Handle, after Enabled said the record is wanted.
package lazylog

import (
	"context"
	"log/slog"
)

// step is one With or WithGroup call, replayed in order on the real handler.
type step struct {
	attrs []slog.Attr
	group string
}

// Handler defers WithAttrs and WithGroup on the handler it wraps until a record is handled.
type Handler struct {
	inner slog.Handler
	steps []step
}

// New wraps inner.
func New(inner slog.Handler) *Handler {
	return &Handler{inner: inner}
}

// Enabled reports whether inner handles records at level.
func (h *Handler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.inner.Enabled(ctx, level)
}

// Handle applies the deferred steps to inner, then writes r.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	return h.resolved().Handle(ctx, r)
}

// WithAttrs keeps attrs for later.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	return h.with(step{attrs: attrs})
}

// WithGroup keeps the group for later.
func (h *Handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return h.with(step{group: name})
}

func (h *Handler) with(s step) *Handler {
	steps := make([]step, len(h.steps), len(h.steps)+1)
	copy(steps, h.steps)
	return &Handler{inner: h.inner, steps: append(steps, s)}
}

func (h *Handler) resolved() slog.Handler {
	out := h.inner
	for _, s := range h.steps {
		if s.group != "" {
			out = out.WithGroup(s.group)
		} else {
			out = out.WithAttrs(s.attrs)
		}
	}
	return out
}
