#pragma once
// Metrics: a small thread-safe registry of counters, gauges and histograms with labels, exposed
// in the Prometheus text format (GET /metrics). One instance is built by `coolpapers serve` and
// reached through Services::metrics; modules register their own series on it.
//
//   Counter& tokens = metrics.GetCounter("coolpapers_llm_tokens_total", "LLM tokens used",
//                                        {{"kind", "completion"}});
//   tokens.Inc(n);
//   metrics.AddGaugeCallback("coolpapers_harvest_queue_depth", "Requests waiting", {},
//                            [&q] { return double(q.size()); });
//
// Get* return a reference that stays valid for the registry's lifetime; keep it and update it
// lock-free on hot paths. Calling Get* again with the same name and labels returns the same
// series. A name has one type and one help text (the first registration's).

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace coolpapers::web {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Inc(double v = 1) { value_.fetch_add(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double v) { value_.fetch_add(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  // `bounds`: ascending upper bounds of the buckets (+Inf is implicit).
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);

  const std::vector<double>& bounds() const { return bounds_; }
  // Non-cumulative count of bucket i (i == bounds().size() is the +Inf bucket).
  uint64_t bucket_count(size_t i) const { return counts_[i].load(std::memory_order_relaxed); }
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

// Latency buckets in seconds, 0.5 ms .. 10 s.
std::vector<double> DefaultLatencyBuckets();

class Metrics {
 public:
  Counter& GetCounter(const std::string& name, const std::string& help,
                      const MetricLabels& labels = {});
  Gauge& GetGauge(const std::string& name, const std::string& help,
                  const MetricLabels& labels = {});
  // `bounds` is used when the series is created (later calls may pass {}).
  Histogram& GetHistogram(const std::string& name, const std::string& help,
                          const MetricLabels& labels = {},
                          std::vector<double> bounds = DefaultLatencyBuckets());
  // A gauge whose value is computed at scrape time by `fn` (called with the registry lock held:
  // it must be thread-safe, fast, and must not call back into this registry).
  void AddGaugeCallback(const std::string& name, const std::string& help,
                        const MetricLabels& labels, std::function<double()> fn);

  // The Prometheus text exposition (version 0.0.4) of every series, families sorted by name.
  std::string Exposition() const;

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Family {
    Type type;
    std::string help;
    // Keyed by the rendered label set, e.g. `{route="/a",status="200"}`.
    std::map<std::string, std::unique_ptr<Counter>> counters;
    std::map<std::string, std::unique_ptr<Gauge>> gauges;
    std::map<std::string, std::function<double()>> gauge_fns;
    std::map<std::string, std::unique_ptr<Histogram>> histograms;
  };
  Family& FamilyLocked(const std::string& name, const std::string& help, Type type);

  mutable std::mutex mu_;
  std::map<std::string, Family> families_;
};

}  // namespace coolpapers::web
