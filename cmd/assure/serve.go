package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"assure/api"
	"assure/app"
	"assure/domain"
	"assure/frameworks"
	"assure/policies"
	"assure/store"
	"assure/web"
)

// serve migrates the database, publishes the built-in catalogs and serves
// until ctx ends, then shuts down gracefully.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flagSet("serve", stderr)
	addrDefault := os.Getenv("ASSURE_ADDR")
	if addrDefault == "" {
		addrDefault = ":8080"
	}
	addr := fs.String("addr", addrDefault, "listen address HOST:PORT (env ASSURE_ADDR)")
	dbURL := databaseFlag(fs)
	idle := fs.Duration("session-idle", envDuration("ASSURE_SESSION_IDLE", store.DefaultSessionPolicy.Idle),
		"sessions unused this long expire (env ASSURE_SESSION_IDLE)")
	absolute := fs.Duration("session-max", envDuration("ASSURE_SESSION_MAX", store.DefaultSessionPolicy.Absolute),
		"sessions expire this long after sign-in (env ASSURE_SESSION_MAX)")
	maxEvidence := fs.Int("max-evidence-mb", envInt("ASSURE_MAX_EVIDENCE_MB", domain.DefaultMaxEvidenceBytes>>20),
		"largest evidence file accepted, in MB (env ASSURE_MAX_EVIDENCE_MB)")
	keepReports := fs.Duration("report-keep", envDuration("ASSURE_REPORT_KEEP", 24*time.Hour),
		"how long finished background reports are kept (env ASSURE_REPORT_KEEP)")
	reportWorkers := fs.Int("report-workers", envInt("ASSURE_REPORT_WORKERS", 2),
		"background reports made at once (env ASSURE_REPORT_WORKERS)")
	reportTimeout := fs.Duration("report-timeout", envDuration("ASSURE_REPORT_TIMEOUT", app.DefaultReportTimeout),
		"longest a background report may take before its work is cancelled (env ASSURE_REPORT_TIMEOUT)")
	reportRescue := fs.Duration("report-rescue-after", envDuration("ASSURE_REPORT_RESCUE_AFTER", app.DefaultReportRescueAfter),
		"a background report still running this long lost its worker: it is run again, or failed after its last attempt; at least --report-timeout (env ASSURE_REPORT_RESCUE_AFTER)")
	proxies := fs.String("trusted-proxies", os.Getenv("ASSURE_TRUSTED_PROXIES"),
		"comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed (env ASSURE_TRUSTED_PROXIES)")
	secure := fs.Bool("secure-cookies", os.Getenv("ASSURE_SECURE_COOKIES") == "true",
		"mark the session cookie Secure and send HSTS; set when served over HTTPS only (env ASSURE_SECURE_COOKIES=true)")
	auditKey := auditKeyFlag(fs)
	checkpointDir := fs.String("checkpoint-dir", os.Getenv("ASSURE_CHECKPOINT_DIR"),
		"directory of signed audit checkpoints the API shows and checks; needs the audit key (env ASSURE_CHECKPOINT_DIR)")
	ssoSettings := ssoFlagsOf(fs)
	smtpSettings := smtpFlagsOf(fs)
	mailEvery := fs.Duration("mail-every", envDuration("ASSURE_MAIL_EVERY", app.DefaultMailEvery),
		"how often the e-mail outbox is looked at for retries and lost workers; every change that writes e-mail sends at once (env ASSURE_MAIL_EVERY)")
	totpKeyFile := totpKeyFlag(fs)
	checkpointEvery := fs.Duration("checkpoint-every", envDuration("ASSURE_CHECKPOINT_EVERY", app.DefaultCheckpointEvery),
		"how often a checkpoint of the audit head is signed into --checkpoint-dir, when the head has moved (env ASSURE_CHECKPOINT_EVERY)")
	if err := parse(fs, args); err != nil {
		return err
	}
	passkeys, err := relyingParty(*ssoSettings.publicURL, *addr)
	if err != nil {
		return usageError(err.Error())
	}
	ssoConfig, err := ssoSettings.config()
	if err != nil {
		return err
	}
	smtp, err := smtpSettings.config()
	if err != nil {
		return err
	}
	if *mailEvery < time.Second {
		return usageError("--mail-every must be at least a second")
	}
	var checkpointKey ed25519.PublicKey
	signingKey, err := loadAuditKey(*auditKey)
	if err != nil {
		return err
	} else if signingKey != nil {
		checkpointKey = signingKey.Public().(ed25519.PublicKey)
	}
	totpKey, err := loadTOTPKey(*totpKeyFile)
	if err != nil {
		return err
	}
	if *checkpointEvery < time.Minute {
		return usageError("--checkpoint-every must be at least a minute")
	}
	if *idle <= 0 || *absolute <= 0 {
		return usageError("session lifetimes must be positive")
	}
	if *reportTimeout <= 0 || *reportRescue < *reportTimeout {
		return usageError("--report-timeout must be positive and --report-rescue-after at least as long")
	}
	if *maxEvidence < 1 || *maxEvidence > 1024 {
		return usageError("--max-evidence-mb must be 1 to 1024")
	}
	var trusted []*net.IPNet
	for _, c := range strings.Split(*proxies, ",") {
		if c = strings.TrimSpace(c); c == "" {
			continue
		}
		_, n, err := net.ParseCIDR(c)
		if err != nil {
			return usageError(fmt.Sprintf("--trusted-proxies: %q is not a CIDR", c))
		}
		trusted = append(trusted, n)
	}
	log := newLogger(stderr)
	if ssoConfig.Issuer != "" {
		log.Info("single sign-on", "issuer", ssoConfig.Issuer, "client_id", ssoConfig.ClientID, "redirect", ssoConfig.RedirectURL)
	}
	if smtp == nil {
		log.Info("no SMTP server (--smtp-addr): e-mails are written to this log instead of sent, and users get temporary passwords")
	} else {
		log.Info("e-mail", "smtp", smtp.Addr, "from", smtp.From.String(), "security", smtp.Security)
	}
	if signingKey != nil && *checkpointDir == "" {
		log.Warn("the audit key is set but no --checkpoint-dir: no checkpoints are written")
	}

	if *dbURL == "" {
		return usageError("no database: set DATABASE_URL or pass --database-url")
	}
	db, err := store.OpenServing(ctx, *dbURL, store.ServeConns)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	if err := checkTOTPKey(ctx, db, totpKey, log); err != nil {
		return err
	}
	db.SetTOTPKey(totpKey)
	db.SetSessionPolicy(store.SessionPolicy{Idle: *idle, Absolute: *absolute})
	if err := publishEmbedded(ctx, db, log); err != nil {
		return err
	}
	authz, err := policies.New()
	if err != nil {
		return err
	}

	application := app.New(db, authz, log, app.Options{MaxEvidenceBytes: int64(*maxEvidence) << 20,
		CheckpointDir: *checkpointDir, CheckpointKey: checkpointKey, SSO: ssoConfig, Passkeys: passkeys,
		SMTP: smtp, PublicURL: publicURLOf(*ssoSettings.publicURL, *addr)})
	a := api.New(application, log, api.Options{SecureCookies: *secure, TrustedProxies: trusted})
	jobs, err := application.NewJobs(log, app.JobOptions{Workers: *reportWorkers, KeepFor: *keepReports,
		Timeout: *reportTimeout, RescueAfter: *reportRescue,
		CheckpointKey: signingKey, CheckpointEvery: *checkpointEvery, MailEvery: *mailEvery})
	if err != nil {
		return err
	}
	if err := jobs.Start(ctx); err != nil {
		return err
	}
	ui, err := web.New(application, log, web.Options{SecureCookies: *secure})
	if err != nil {
		return err
	}
	a.Mount("/", ui.Handler())
	srv := &http.Server{
		Handler:           a.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // evidence uploads on slow links
		WriteTimeout:      10 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Assure is serving on %s\n", displayURL(ln.Addr()))

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := jobs.Stop(shutdownCtx); err != nil {
		log.Warn("stop background jobs", "err", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// publishEmbedded publishes the catalogs built into the binary, then the
// mappings between them; ones already published with the same content are
// left alone.
func publishEmbedded(ctx context.Context, db *store.DB, log *slog.Logger) error {
	list, err := frameworks.Embedded()
	if err != nil {
		return err
	}
	for _, f := range list {
		outcome, err := db.PublishFramework(ctx, domain.System("startup"), f)
		if err != nil {
			return err
		}
		log.Info("catalog", "framework", f.ID, "version", f.Version, "outcome", outcome)
	}
	mappings, err := frameworks.EmbeddedMappings()
	if err != nil {
		return err
	}
	for _, m := range mappings {
		outcome, err := db.PublishMapping(ctx, domain.System("startup"), m)
		if domain.ErrorCodeOf(err) == domain.EInvalid {
			// A framework published under a version the mapping expects
			// holds other controls (an edited OWASP MASVS, say): the
			// mapping is left out rather than the server refusing to start.
			log.Warn("catalog", "mapping", m.ID, "version", m.Version, "outcome", app.Unfit, "error", err)
			continue
		}
		if err != nil {
			return err
		}
		log.Info("catalog", "mapping", m.ID, "version", m.Version, "outcome", outcome)
	}
	calibrations, err := frameworks.EmbeddedCalibrations()
	if err != nil {
		return err
	}
	for _, c := range calibrations {
		// The calibration in force stays in force: a built-in one is published
		// only on a database that has none for its framework version yet; a
		// regulator adopts another with assure catalog calibrate.
		inForce, err := db.Calibration(ctx, store.FrameworkRef{ID: c.Framework.ID, Version: c.Framework.Version})
		if err != nil && domain.ErrorCodeOf(err) != domain.ENotFound {
			return err
		}
		if inForce != nil && inForce.ID != "" && inForce.Ref() != c.Ref() {
			log.Info("catalog", "calibration", c.ID, "version", c.Version, "outcome", "left out: "+inForce.Ref()+" is in force")
			continue
		}
		outcome, err := db.PublishCalibration(ctx, domain.System("startup"), c)
		if err != nil {
			return err
		}
		log.Info("catalog", "calibration", c.ID, "version", c.Version, "outcome", outcome)
	}
	// Open campaigns' scores follow the current method and calibration;
	// closed ones keep the scores they were decided on.
	n, err := db.RescoreOutdated(ctx, domain.System("startup"))
	if err != nil {
		return err
	}
	if n > 0 {
		log.Info("scores", "rescored", n, "method", domain.RiskMethod)
	}
	return nil
}

// displayURL turns a listen address into a URL a person can open.
func displayURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// relyingParty is what passkeys are bound to: the host of the public URL,
// or for local use http://localhost on the port of the listen address
// (browsers refuse an IP address, so the pages must then be opened at
// localhost). Passkeys are off when no port is known.
func relyingParty(publicURL, addr string) (app.RelyingParty, error) {
	if publicURL != "" {
		rp, err := app.RelyingPartyFor(publicURL)
		if err != nil {
			return app.RelyingParty{}, fmt.Errorf("--public-url: %w", err)
		}
		return rp, nil
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" || port == "0" {
		return app.RelyingParty{}, nil
	}
	return app.RelyingPartyFor("http://" + net.JoinHostPort("localhost", port))
}
