// Metrics registry and Prometheus text exposition.

#include "web/metrics.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>

namespace coolpapers::web {
namespace {

// `name="value",...` with the exposition format's escapes (\\, \", \n); no braces.
std::string RenderLabels(const MetricLabels& labels) {
  std::string out;
  for (const auto& [k, v] : labels) {
    if (!out.empty()) out += ',';
    out += k;
    out += "=\"";
    for (char c : v) {
      if (c == '\\') out += "\\\\";
      else if (c == '"') out += "\\\"";
      else if (c == '\n') out += "\\n";
      else out += c;
    }
    out += '"';
  }
  return out;
}

void AppendNumber(std::string& out, double v) {
  if (std::isnan(v)) { out += "NaN"; return; }
  if (std::isinf(v)) { out += v > 0 ? "+Inf" : "-Inf"; return; }
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, res.ptr);
}

void AppendSample(std::string& out, const std::string& name, std::string_view labels,
                  double value) {
  out += name;
  if (!labels.empty()) {
    out += '{';
    out.append(labels);
    out += '}';
  }
  out += ' ';
  AppendNumber(out, value);
  out += '\n';
}

// Escapes HELP text (\\ and \n).
std::string EscapeHelp(const std::string& help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      counts_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {
  assert(std::is_sorted(bounds_.begin(), bounds_.end()));
}

void Histogram::Observe(double v) {
  size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

std::vector<double> DefaultLatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

Metrics::Family& Metrics::FamilyLocked(const std::string& name, const std::string& help,
                                       Type type) {
  auto [it, inserted] = families_.try_emplace(name);
  if (inserted) {
    it->second.type = type;
    it->second.help = help;
  }
  assert(it->second.type == type && "a metric name was registered with two types");
  return it->second;
}

Counter& Metrics::GetCounter(const std::string& name, const std::string& help,
                             const MetricLabels& labels) {
  std::lock_guard lock(mu_);
  auto& slot = FamilyLocked(name, help, Type::kCounter).counters[RenderLabels(labels)];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& Metrics::GetGauge(const std::string& name, const std::string& help,
                         const MetricLabels& labels) {
  std::lock_guard lock(mu_);
  auto& slot = FamilyLocked(name, help, Type::kGauge).gauges[RenderLabels(labels)];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

Histogram& Metrics::GetHistogram(const std::string& name, const std::string& help,
                                 const MetricLabels& labels, std::vector<double> bounds) {
  std::lock_guard lock(mu_);
  auto& slot = FamilyLocked(name, help, Type::kHistogram).histograms[RenderLabels(labels)];
  if (!slot) slot = std::make_unique<Histogram>(std::move(bounds));
  return *slot;
}

void Metrics::AddGaugeCallback(const std::string& name, const std::string& help,
                               const MetricLabels& labels, std::function<double()> fn) {
  std::lock_guard lock(mu_);
  FamilyLocked(name, help, Type::kGauge).gauge_fns[RenderLabels(labels)] = std::move(fn);
}

std::string Metrics::Exposition() const {
  std::string out;
  std::lock_guard lock(mu_);
  for (const auto& [name, f] : families_) {
    out += "# HELP " + name + ' ' + EscapeHelp(f.help) + '\n';
    out += "# TYPE " + name + ' ';
    out += f.type == Type::kCounter ? "counter" : f.type == Type::kGauge ? "gauge" : "histogram";
    out += '\n';
    for (const auto& [labels, c] : f.counters) AppendSample(out, name, labels, c->value());
    for (const auto& [labels, g] : f.gauges) AppendSample(out, name, labels, g->value());
    for (const auto& [labels, fn] : f.gauge_fns) AppendSample(out, name, labels, fn());
    for (const auto& [labels, h] : f.histograms) {
      uint64_t cumulative = 0;
      std::string prefix = labels.empty() ? std::string() : labels + ',';
      for (size_t i = 0; i <= h->bounds().size(); ++i) {
        cumulative += h->bucket_count(i);
        std::string le;
        if (i < h->bounds().size()) AppendNumber(le, h->bounds()[i]);
        else le = "+Inf";
        AppendSample(out, name + "_bucket", prefix + "le=\"" + le + "\"",
                     static_cast<double>(cumulative));
      }
      AppendSample(out, name + "_sum", labels, h->sum());
      AppendSample(out, name + "_count", labels, static_cast<double>(h->count()));
    }
  }
  return out;
}

}  // namespace coolpapers::web
