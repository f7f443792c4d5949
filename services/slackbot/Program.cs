using Microsoft.Extensions.Hosting;
using Pipeline.Core.Hosting;
using Pipeline.Slackbot;

var builder = Host.CreateApplicationBuilder(args);
builder.AddPipelineDefaults();
builder.AddSlackWebhook();
builder.AddSlackbot();
return await builder.Build().RunServiceAsync("slackbot");
