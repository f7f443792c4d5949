using Microsoft.Extensions.Hosting;
using Pipeline.Core.Hosting;
using Pipeline.GetTweets;

var builder = Host.CreateApplicationBuilder(args);
builder.AddPipelineDefaults();
builder.AddCollector();
return await builder.Build().RunServiceAsync("get_tweets");
