// Command webhooks receives and verifies webhooks: Close's own deliveries
// (close-sig-hash over close-sig-timestamp + body) and Paragon ActionKit
// trigger events (x-paragon-signature).
//
// By default it runs a self-contained demo on a loopback server: it signs a
// Close "opportunity won" delivery the way Close does, posts it, and shows a
// tampered copy being refused. With -listen it serves real deliveries on that
// address, verifying them with CLOSE_WEBHOOK_SIGNATURE_KEY (the hex
// signature_key Close returned when you created the subscription) and
// PARAGON_ACTIONKIT_SECRET.
package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"time"

	"github.com/paragon-go/paragon/actionkit"
	closecrm "github.com/paragon-go/paragon/close"
)

func main() {
	listen := flag.String("listen", "", "serve real deliveries on this address (e.g. :8080)")
	flag.Parse()
	closeKey := os.Getenv("CLOSE_WEBHOOK_SIGNATURE_KEY")
	paragonSecret := os.Getenv("PARAGON_ACTIONKIT_SECRET")
	if *listen != "" {
		if closeKey == "" && paragonSecret == "" {
			log.Fatal("webhooks: set CLOSE_WEBHOOK_SIGNATURE_KEY and/or PARAGON_ACTIONKIT_SECRET")
		}
		srv := &http.Server{Addr: *listen, Handler: newMux(closeKey, paragonSecret), ReadHeaderTimeout: 10 * time.Second}
		log.Printf("webhooks: listening on %s (POST /close, POST /paragon)", *listen)
		log.Fatal(srv.ListenAndServe())
	}
	if err := demo(); err != nil {
		log.Fatalf("webhooks: %v", err)
	}
}

// newMux verifies and decodes deliveries; it answers 2xx quickly, since
// Close retries failures and does not keep their order.
func newMux(closeKey, paragonSecret string) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /close", func(w http.ResponseWriter, r *http.Request) {
		ev, err := closecrm.ParseWebhook(r, closeKey, nil)
		if err != nil {
			status := http.StatusBadRequest
			if errors.Is(err, closecrm.ErrInvalidSignature) {
				status = http.StatusUnauthorized
			}
			fmt.Printf("  refused Close delivery: %v\n", err)
			http.Error(w, "invalid delivery", status)
			return
		}
		e := ev.Event
		fmt.Printf("  Close %s.%s %s (changed %v)\n", e.ObjectType, e.Action, e.ObjectID, e.ChangedFields)
		if e.ObjectType == "opportunity" && e.Action == "updated" {
			if opp, err := e.DecodeOpportunity(); err == nil {
				fmt.Printf("  opportunity is now %s, value %d cents, won on %s\n", opp.StatusType, opp.Value, opp.DateWon)
			}
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /paragon", func(w http.ResponseWriter, r *http.Request) {
		ev, err := actionkit.ParseTriggerWebhook(r, paragonSecret)
		if err != nil {
			fmt.Printf("  refused ActionKit delivery: %v\n", err)
			http.Error(w, "invalid delivery", http.StatusUnauthorized)
			return
		}
		fmt.Printf("  ActionKit %s event %s for user %s: %s\n", ev.TriggerType, ev.EventID, ev.UserID, ev.Payload)
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}

const closeDelivery = `{
  "subscription_id": "whsub_7Gf5Dd3Ss1Aa9Pp7Oo5Ii3Uu1Yy9Tt7Rr",
  "event": {
    "id": "ev_3Qq5Ww7Ee9Rr1Tt3Yy5Uu7Ii9Oo1Pp3Aa", "object_type": "opportunity", "action": "updated",
    "object_id": "oppo_Ee2Rr4Tt6Yy8Uu0Ii2Oo4Pp6Aa8Ss0Dd", "lead_id": "lead_4pT9wQeR2yUiOp8aSdFgHjKlZxCvBnM1",
    "date_created": "2025-10-01T17:45:03.112000", "date_updated": "2025-10-01T17:45:03.112000",
    "changed_fields": ["confidence", "date_won", "status_id", "status_label", "status_type"],
    "previous_data": {"confidence": 40, "status_type": "active"},
    "data": {"id": "oppo_Ee2Rr4Tt6Yy8Uu0Ii2Oo4Pp6Aa8Ss0Dd", "status_type": "won", "confidence": 100,
             "date_won": "2025-10-01", "value": 1250000, "value_period": "annual"},
    "meta": {"request_method": "PUT"}
  }
}`

const paragonDelivery = `{"eventId":"evt_5f1c0a7e","userId":"acct-1042","integration":"close",
  "triggerType":"CLOSE_TRIGGER_RECORD_CREATED","payload":{"id":"lead_7Hn2","display_name":"Harbor Analytics"}}`

func demo() error {
	// Secrets a real deployment gets from Close and Paragon; made up here.
	keyBytes := make([]byte, 32)
	if _, err := rand.Read(keyBytes); err != nil {
		return err
	}
	closeKey := hex.EncodeToString(keyBytes)
	const paragonSecret = "demo-actionkit-signing-secret"

	srv := httptest.NewServer(newMux(closeKey, paragonSecret))
	defer srv.Close()
	fmt.Println("running offline: webhook receiver at", srv.URL)
	hc := srv.Client()

	ts := strconv.FormatInt(time.Now().Unix(), 10)
	fmt.Println("1. a signed Close delivery:")
	if err := post(hc, srv.URL+"/close", closeDelivery, map[string]string{
		"close-sig-timestamp": ts, "close-sig-hash": closeSig(keyBytes, ts, closeDelivery),
	}, http.StatusNoContent); err != nil {
		return err
	}
	fmt.Println("2. the same delivery with its body changed:")
	tampered := bytes.Replace([]byte(closeDelivery), []byte("1250000"), []byte("9250000"), 1)
	if err := post(hc, srv.URL+"/close", string(tampered), map[string]string{
		"close-sig-timestamp": ts, "close-sig-hash": closeSig(keyBytes, ts, closeDelivery),
	}, http.StatusUnauthorized); err != nil {
		return err
	}
	fmt.Println("3. a replayed delivery signed 4 days ago (past Close's 72 h of retries):")
	old := strconv.FormatInt(time.Now().Add(-96*time.Hour).Unix(), 10)
	if err := post(hc, srv.URL+"/close", closeDelivery, map[string]string{
		"close-sig-timestamp": old, "close-sig-hash": closeSig(keyBytes, old, closeDelivery),
	}, http.StatusUnauthorized); err != nil {
		return err
	}
	fmt.Println("4. a signed Paragon ActionKit delivery:")
	mac := hmac.New(sha256.New, []byte(paragonSecret))
	mac.Write([]byte(paragonDelivery))
	if err := post(hc, srv.URL+"/paragon", paragonDelivery, map[string]string{
		"x-paragon-signature": "v1=" + hex.EncodeToString(mac.Sum(nil)),
	}, http.StatusNoContent); err != nil {
		return err
	}
	fmt.Println("done: 2 deliveries accepted, 2 refused")
	return nil
}

// closeSig signs like Close: hex HMAC-SHA256 of timestamp+body, keyed with
// the hex-decoded signature_key.
func closeSig(key []byte, ts, body string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(ts + body))
	return hex.EncodeToString(m.Sum(nil))
}

func post(hc *http.Client, url, body string, headers map[string]string, want int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader([]byte(body)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != want {
		return fmt.Errorf("POST %s: status %d, want %d", req.URL.Path, resp.StatusCode, want)
	}
	fmt.Printf("   -> %d\n", resp.StatusCode)
	return nil
}
