// Draws the /kpis charts with Chart.js: per tier, measured RTO and RPO of each incident and drill
// against the tier's targets. The numbers come from the page itself (#kpi-data), so the page needs
// no second request and shows the same figures as its tables.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("kpi-data").textContent);
  const colours = { rto: "#1f6feb", rtoTarget: "#b3261e", rpo: "#8250df", rpoTarget: "#bf8700" };
  for (const canvas of document.querySelectorAll("canvas[data-tier]")) {
    const tier = data.tiers[canvas.dataset.tier];
    const labels = tier.points.map(p => `${p.id} (${p.source}) ${p.at.slice(0, 10)}`);
    const target = value => tier.points.map(() => value);
    new Chart(canvas, {
      type: "line",
      data: {
        labels,
        datasets: [
          { label: "RTO measured (min)", data: tier.points.map(p => p.rtoMinutes), borderColor: colours.rto, backgroundColor: colours.rto, spanGaps: true },
          { label: `RTO target ${tier.rtoTargetMinutes} min`, data: target(tier.rtoTargetMinutes), borderColor: colours.rtoTarget, borderDash: [6, 4], pointRadius: 0 },
          { label: "RPO measured (min)", data: tier.points.map(p => p.rpoMinutes), borderColor: colours.rpo, backgroundColor: colours.rpo, spanGaps: true },
          { label: `RPO target ${tier.rpoTargetMinutes} min`, data: target(tier.rpoTargetMinutes), borderColor: colours.rpoTarget, borderDash: [2, 3], pointRadius: 0 },
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, title: { display: true, text: "minutes" } } },
        plugins: { title: { display: true, text: `${canvas.dataset.tier}: RTO and RPO against the tier targets` } },
      },
    });
    canvas.dataset.rendered = "true";
  }
})();
