// The core interceptors server of github.com/tektoncd/triggers' cmd/interceptors (Apache-2.0), with its port
// from -port instead of a fixed 8443, so that parallel test runs do not collide.
package main

import (
	"context"
	"flag"
	"crypto/tls"
	"fmt"
	"log"
	"net"
	"net/http"
	"time"

	triggersclientset "github.com/tektoncd/triggers/pkg/client/clientset/versioned"
	"github.com/tektoncd/triggers/pkg/interceptors"
	"github.com/tektoncd/triggers/pkg/interceptors/server"
	"github.com/tektoncd/triggers/pkg/interceptors/server/tlsconfig"
	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"
	kubeclient "knative.dev/pkg/client/injection/kube/client"
	"knative.dev/pkg/injection"
	"knative.dev/pkg/logging"
	"knative.dev/pkg/signals"
)

const (
	readTimeout  = 5 * time.Second
	writeTimeout = 20 * time.Second
	idleTimeout  = 60 * time.Second
)

var httpsPort = flag.Int("port", 8443, "The port the interceptors server listens on.")

func main() {
	// set up signals so we handle the first shutdown signal gracefully
	ctx := signals.NewContext()

	cfg := injection.ParseAndGetRESTConfigOrDie()

	ctx, startInformer := injection.EnableInjectionOrDie(ctx, cfg)

	zap, err := zap.NewProduction()
	if err != nil {
		log.Fatalf("failed to initialize logger: %s", err)
	}
	logger := zap.Sugar()
	ctx = logging.WithLogger(ctx, logger)
	defer func() {
		if err := logger.Sync(); err != nil {
			log.Fatalf("failed to sync the logger: %s", err)
		}
	}()

	service, err := server.NewWithCoreInterceptors(interceptors.DefaultSecretGetter(kubeclient.Get(ctx).CoreV1()), logger)
	if err != nil {
		logger.Errorf("failed to initialize core interceptors: %s", err)
		return
	}
	startInformer()

	mux := http.NewServeMux()
	mux.Handle("/", service)
	mux.HandleFunc("/ready", handler)

	tc, err := triggersclientset.NewForConfig(cfg)
	if err != nil {
		return
	}

	server.CreateAndValidateCerts(ctx, kubeclient.Get(ctx).CoreV1(), logger, service, tc.TriggersV1alpha1())

	// watch for caCert existence in clusterInterceptor, update with new caCert if its missing in clusterInterceptor
	_ = server.UpdateCACertToClusterInterceptorCRD(ctx, service, tc.TriggersV1alpha1(), logger, time.Minute)

	if err := startServer(ctx, ctx.Done(), mux, logger); err != nil {
		logger.Fatal(err)
	}
}

// revive:disable:unused-parameter

func handler(w http.ResponseWriter, r *http.Request) {
	w.WriteHeader(http.StatusOK)
}

func startServer(ctx context.Context, stop <-chan struct{}, mux *http.ServeMux, logger *zap.SugaredLogger) error {
	tlsConfig, err := tlsconfig.LoadFromEnv().ToTLSConfig()
	if err != nil {
		return fmt.Errorf("failed to parse TLS configuration from env: %w", err)
	}
	tlsConfig.GetCertificate = func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
		return server.GetTLSData(ctx, logger)
	}
	logger.Infof("TLS config: MinVersion=%s, CipherSuites=[%s], CurvePreferences=[%s]",
		tlsconfig.GetTLSVersionName(tlsConfig.MinVersion),
		tlsconfig.FormatCipherSuites(tlsConfig.CipherSuites),
		tlsconfig.FormatCurvePreferences(tlsConfig.CurvePreferences))

	srv := &http.Server{
		Addr: fmt.Sprintf("127.0.0.1:%d", *httpsPort),
		BaseContext: func(listener net.Listener) context.Context {
			return ctx
		},
		ReadHeaderTimeout: readTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		Handler:           mux,
		TLSConfig:         tlsConfig,
	}

	eg, ctx := errgroup.WithContext(ctx)
	eg.Go(func() error {
		logger.Infof("Listen and serve on port %d", *httpsPort)
		if err := srv.ListenAndServeTLS("", ""); err != nil {
			logger.Errorf("failed to start interceptors server: %v", err)
			return err
		}
		return nil
	})

	select {
	case <-stop:
		eg.Go(func() error {
			// As we start to shutdown, disable keep-alives to avoid clients hanging onto connections.
			srv.SetKeepAlivesEnabled(false)

			return srv.Shutdown(context.Background())
		})

		// Wait for all outstanding go routined to terminate, including our new one.
		return eg.Wait()

	case <-ctx.Done():
		return fmt.Errorf("interceptors server bootstrap failed %w", ctx.Err())
	}
}
