// Starts Swagger UI from a file, because the Content-Security-Policy forbids inline script.
(function () {
  var target = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({ url: target.dataset.specUrl, dom_id: "#swagger-ui", deepLinking: true });
})();
