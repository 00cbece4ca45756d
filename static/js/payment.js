// The Payment Element: Stripe.js collects the card in Stripe's own frame and confirms the
// PaymentIntent; the server then asks Stripe how it went (the return URL), never this script.
(function () {
  var form = document.getElementById("payment-form");
  if (!form || typeof Stripe === "undefined") { return; }
  var stripe = Stripe(form.dataset.publishableKey);
  var elements = stripe.elements({ clientSecret: form.dataset.clientSecret, locale: document.documentElement.lang });
  elements.create("payment").mount("#payment-element");
  var message = document.getElementById("payment-message");
  var submit = document.getElementById("payment-submit");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    submit.disabled = true;
    stripe.confirmPayment({ elements: elements, confirmParams: { return_url: form.dataset.returnUrl } })
      .then(function (result) {
        if (result.error) {
          message.textContent = result.error.message;
          message.hidden = false;
          submit.disabled = false;
        }
      });
  });
})();
