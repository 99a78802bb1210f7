package hub

import (
	"errors"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	connected   prometheus.Gauge
	pushLatency prometheus.Histogram
	dropped     prometheus.Counter
	acked       prometheus.Counter
	closed      *prometheus.CounterVec
	refused     *prometheus.CounterVec
	pending     prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) *metrics {
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	return &metrics{
		connected: register(reg, prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hallcast_screens_connected",
			Help: "Websocket connections of screens that said hello.",
		})),
		pushLatency: register(reg, prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "hallcast_push_latency_seconds",
			Help:    "From a change being notified to its manifest frame being written to a screen.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		})),
		dropped: register(reg, prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hallcast_ws_dropped_slow_total",
			Help: "Connections dropped because their send queue was full.",
		})),
		acked: register(reg, prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hallcast_events_acked_total",
			Help: "Events acknowledged to screens over the websocket.",
		})),
		closed: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hallcast_ws_closed_total",
			Help: "Websocket connections ended, by close code (1006: no close frame).",
		}, []string{"code"})),
		refused: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hallcast_ws_refused_total",
			Help: "Websocket connections refused before the upgrade, by reason (per_address, pending_hello_per_address).",
		}, []string{"reason"})),
		pending: register(reg, prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hallcast_ws_awaiting_hello",
			Help: "Websocket connections open that have not said hello yet.",
		})),
	}
}

// register registers c, or returns the collector already registered under
// the same description (a second hub on one registry shares the series).
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
	}
	return c
}

// codeLabel keeps the label set small: codes a peer may send freely are
// folded into "other".
func codeLabel(code int) string {
	switch code {
	case 1000, 1001, 1006, 1008, 1011, 1013, CloseBadToken, CloseRevoked, CloseHelloTimeout, CloseTooLarge, CloseTooMany:
		return strconv.Itoa(code)
	}
	return "other"
}
