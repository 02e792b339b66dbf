/* The funds' charts with ECharts: money in and out per year, the flow from donors to purposes to
   destinations, and an allocation's amounts by municipality (one or two simulations). Every
   chart has a table or a download with the same figures beside it. */
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }
  var format = window.pattoFormat;

  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = echarts.init(el, null, { renderer: "svg" });
    option.aria = { enabled: true };
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
    el.setAttribute("data-ready", "true");
  }

  var fund = document.getElementById("fund-data");
  if (fund) {
    var data = JSON.parse(fund.textContent);
    var keys = ["receipt-money", "receipt-kind", "payment-money", "payment-kind"];
    draw("fund-time", {
      tooltip: { trigger: "axis", valueFormatter: format.euro },
      legend: { top: 0 },
      grid: { top: 40, left: 70, right: 20, bottom: 30 },
      xAxis: { type: "category", data: data.time.years },
      yAxis: { type: "value", name: "€", axisLabel: { formatter: format.axis } },
      series: keys.map(function (k) {
        return { name: data.labels[k], type: "bar", stack: k.split("-")[0], data: data.time[k] };
      })
    });
    draw("fund-flows", {
      tooltip: { trigger: "item", valueFormatter: format.euro },
      series: [{ type: "sankey", data: data.flows.nodes, links: data.flows.links,
                 emphasis: { focus: "adjacency" }, nodeAlign: "justify",
                 lineStyle: { color: "gradient", curveness: 0.5 },
                 label: { fontSize: 12 } }]
    });
  }

  var allocation = document.getElementById("allocation-data");
  if (allocation) {
    var a = JSON.parse(allocation.textContent);
    var series = a.b ? [{ name: a.labels[0], type: "bar", data: a.a },
                        { name: a.labels[1], type: "bar", data: a.b }]
                     : [{ name: "€", type: "bar", data: a.amounts }];
    draw("allocation-chart", {
      tooltip: { trigger: "axis", valueFormatter: format.euro },
      legend: a.b ? { top: 0 } : undefined,
      grid: { top: 40, left: 160, right: 20, bottom: 30 },
      yAxis: { type: "category", data: a.names, inverse: true, axisLabel: { fontSize: 11 } },
      xAxis: { type: "value", name: "€", axisLabel: { formatter: format.axis } },
      series: series
    });
  }
}());
