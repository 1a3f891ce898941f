// Command ferretdb runs FerretDB v1.24.2 embedded, so that newsrelay's tests and
// local runs have a MongoDB wire-protocol server without a MongoDB package.
// (`go install …/cmd/ferretdb` builds a binary that panics on a missing version file.)
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"

	"github.com/newsrelay/newsrelay/tools/ferretdb/lazylog"
)

func main() {
	listen := flag.String("listen-addr", "127.0.0.1:27017", "TCP address to listen on")
	handler := flag.String("handler", "sqlite", "backend: sqlite or postgresql")
	sqliteURL := flag.String("sqlite-url", "file:data/", "SQLite directory URI (must end with /)")
	pgURL := flag.String("postgresql-url", "", "PostgreSQL URL for the postgresql handler")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	flag.Parse()

	// FerretDB allocates a copy of every document it reads or writes. While digests were built,
	// GOGC=300 cut its CPU by a fifth to a quarter against Go's default of 100, for about 10 MB
	// more at peak (84 → 93 MB at 30,000 chats). A GOGC the operator sets wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(300)
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintln(os.Stderr, "bad -log-level:", err)
		os.Exit(2)
	}
	// FerretDB formats every SQL statement's arguments for debug messages even when they are off;
	// the lazy handler formats them only for records that are written.
	logger := slog.New(lazylog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})))

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:      ferretdb.ListenerConfig{TCP: *listen},
		Logger:        logger,
		Handler:       *handler,
		SQLiteURL:     *sqliteURL,
		PostgreSQLURL: *pgURL,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb:", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := f.Run(ctx); err != nil && ctx.Err() == nil {
		fmt.Fprintln(os.Stderr, "ferretdb:", err)
		os.Exit(1)
	}
}
