#include "web/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

namespace coolpapers::web {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(MetricsTest, CounterExposition) {
  Metrics m;
  m.GetCounter("cp_requests_total", "Requests", {{"route", "/a"}, {"status", "200"}}).Inc();
  m.GetCounter("cp_requests_total", "Requests", {{"route", "/a"}, {"status", "200"}}).Inc(2);
  m.GetCounter("cp_requests_total", "Requests", {{"route", "/b"}, {"status", "404"}}).Inc();
  EXPECT_EQ(m.Exposition(),
            "# HELP cp_requests_total Requests\n"
            "# TYPE cp_requests_total counter\n"
            "cp_requests_total{route=\"/a\",status=\"200\"} 3\n"
            "cp_requests_total{route=\"/b\",status=\"404\"} 1\n");
}

TEST(MetricsTest, SameSeriesIsSameObject) {
  Metrics m;
  Counter& a = m.GetCounter("c", "h", {{"k", "v"}});
  Counter& b = m.GetCounter("c", "h", {{"k", "v"}});
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &m.GetCounter("c", "h", {{"k", "w"}}));
}

TEST(MetricsTest, GaugesAndCallbacks) {
  Metrics m;
  Gauge& g = m.GetGauge("cp_open", "Open connections");
  g.Add(3);
  g.Add(-1);
  m.AddGaugeCallback("cp_queue_depth", "Queue depth", {{"queue", "faq"}}, [] { return 7.5; });
  std::string text = m.Exposition();
  EXPECT_THAT(text, HasSubstr("# TYPE cp_open gauge\ncp_open 2\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE cp_queue_depth gauge\ncp_queue_depth{queue=\"faq\"} 7.5\n"));
}

TEST(MetricsTest, HistogramBucketsAreCumulative) {
  Metrics m;
  Histogram& h = m.GetHistogram("cp_latency_seconds", "Latency", {{"route", "/"}}, {0.25, 1});
  h.Observe(0.125);
  h.Observe(0.25);  // upper bounds are inclusive
  h.Observe(0.5);
  h.Observe(3);
  EXPECT_EQ(m.Exposition(),
            "# HELP cp_latency_seconds Latency\n"
            "# TYPE cp_latency_seconds histogram\n"
            "cp_latency_seconds_bucket{route=\"/\",le=\"0.25\"} 2\n"
            "cp_latency_seconds_bucket{route=\"/\",le=\"1\"} 3\n"
            "cp_latency_seconds_bucket{route=\"/\",le=\"+Inf\"} 4\n"
            "cp_latency_seconds_sum{route=\"/\"} 3.875\n"
            "cp_latency_seconds_count{route=\"/\"} 4\n");
}

TEST(MetricsTest, EscapesLabelValuesAndHelp) {
  Metrics m;
  m.GetCounter("c", "line\nbreak \\ here", {{"path", "a\"b\\c\nd"}}).Inc();
  std::string text = m.Exposition();
  EXPECT_THAT(text, HasSubstr("# HELP c line\\nbreak \\\\ here\n"));
  EXPECT_THAT(text, HasSubstr("c{path=\"a\\\"b\\\\c\\nd\"} 1\n"));
}

TEST(MetricsTest, FamiliesSortedByName) {
  Metrics m;
  m.GetCounter("zz", "z").Inc();
  m.GetCounter("aa", "a").Inc();
  std::string text = m.Exposition();
  EXPECT_LT(text.find("aa"), text.find("zz"));
  EXPECT_THAT(text, Not(HasSubstr("{}")));
}

TEST(MetricsTest, ConcurrentIncrementsAreNotLost) {
  Metrics m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&m] {
      for (int i = 0; i < 10'000; ++i) {
        m.GetCounter("c", "h", {{"k", "v"}}).Inc();
        m.GetHistogram("h", "h").Observe(0.001);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(m.GetCounter("c", "h", {{"k", "v"}}).value(), 40'000);
  EXPECT_EQ(m.GetHistogram("h", "h").count(), 40'000u);
}

}  // namespace
}  // namespace coolpapers::web
