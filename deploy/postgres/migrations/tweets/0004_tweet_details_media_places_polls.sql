-- The tweet and user fields that 0001 did not keep, the media, places and polls that a page
-- delivers in its includes, and the columns and table of deleted tweets. Columns that the stored
-- raw JSON can fill are filled here, so an existing database gets them for the rows it has.
-- Media, place and poll objects were never stored before this migration, so only the links to
-- them are filled for older rows; the objects arrive with the next observation of their tweet.
-- The upserts are in services/postgres-writer/TweetStore.cs. An id is read only when it is a
-- decimal string within bigint, as the writer reads it; anything else stays null.

alter table public.tweets
    add column withheld_country_codes text[],
    add column withheld_copyright     boolean,
    add column place_id               text,
    add column longitude              double precision,
    add column latitude               double precision,
    add column poll_id                bigint,
    add column deleted_at             timestamptz,
    add column deletion_reason        text;

comment on column public.tweets.withheld_country_codes is 'Country codes (ISO 3166-1 alpha-2, as withheld.country_codes lists them) where the tweet is withheld; null when it is not withheld.';
comment on column public.tweets.withheld_copyright is 'True when the tweet is withheld because of a copyright complaint; null when the API sent no withheld object.';
comment on column public.tweets.place_id is 'Id of the place the author tagged (geo.place_id); the places row exists when the page included the place.';
comment on column public.tweets.longitude is 'Longitude of the exact point the author shared (geo.coordinates, GeoJSON order [longitude, latitude]); null without one.';
comment on column public.tweets.latitude is 'Latitude of the exact point the author shared; null without one.';
comment on column public.tweets.poll_id is 'Id of the attached poll (attachments.poll_ids; X allows one poll per tweet); the polls row exists when the page included the poll.';
comment on column public.tweets.deleted_at is 'When X reported the tweet deleted, or a lookup reported it not found (the observed_at of its deleted_tweets row); null while it is not known deleted. The analyst views leave flagged tweets out.';
comment on column public.tweets.deletion_reason is 'Why the tweet is gone, as the deletion reported it: deleted, suspended, protected, deactivated, scrub_geo and the other reasons of X compliance files, or not_found for a lookup.';

create index tweets_place_id on public.tweets (place_id) where place_id is not null;
create index tweets_poll_id on public.tweets (poll_id) where poll_id is not null;

update public.tweets
   set withheld_country_codes = case when jsonb_typeof(raw #> '{withheld,country_codes}') = 'array'
                                     then array(select jsonb_array_elements_text(raw #> '{withheld,country_codes}')) end,
       withheld_copyright = case when jsonb_typeof(raw #> '{withheld,copyright}') = 'boolean'
                                 then (raw #>> '{withheld,copyright}')::boolean end,
       place_id = raw #>> '{geo,place_id}',
       longitude = case when jsonb_typeof(raw #> '{geo,coordinates,coordinates,0}') = 'number'
                        then (raw #>> '{geo,coordinates,coordinates,0}')::double precision end,
       latitude = case when jsonb_typeof(raw #> '{geo,coordinates,coordinates,1}') = 'number'
                       then (raw #>> '{geo,coordinates,coordinates,1}')::double precision end,
       poll_id = case when raw #>> '{attachments,poll_ids,0}' ~ '^[0-9]{1,19}$' then case when (raw #>> '{attachments,poll_ids,0}')::numeric <= 9223372036854775807 then (raw #>> '{attachments,poll_ids,0}')::bigint end end
 where raw ? 'withheld' or raw ? 'geo' or raw ? 'attachments';

alter table public.users
    add column url                    text,
    add column expanded_url           text,
    add column pinned_tweet_id        bigint,
    add column most_recent_tweet_id   bigint,
    add column profile_banner_url     text,
    add column withheld_country_codes text[];

comment on column public.users.url is 'The link in the profile as the API delivered it, usually a t.co address; null or empty when the profile has none.';
comment on column public.users.expanded_url is 'Where the profile link expands to (entities.url.urls[0].expanded_url).';
comment on column public.users.pinned_tweet_id is 'Id of the tweet pinned to the profile when the user was observed.';
comment on column public.users.most_recent_tweet_id is 'Id of the user''s newest tweet when the user was observed, when the API sent it.';
comment on column public.users.profile_banner_url is 'Address of the profile banner image.';
comment on column public.users.withheld_country_codes is 'Countries where the account is withheld (withheld.country_codes); null when it is not withheld.';

update public.users
   set url = raw ->> 'url',
       expanded_url = raw #>> '{entities,url,urls,0,expanded_url}',
       pinned_tweet_id = case when raw ->> 'pinned_tweet_id' ~ '^[0-9]{1,19}$' then case when (raw ->> 'pinned_tweet_id')::numeric <= 9223372036854775807 then (raw ->> 'pinned_tweet_id')::bigint end end,
       most_recent_tweet_id = case when raw ->> 'most_recent_tweet_id' ~ '^[0-9]{1,19}$' then case when (raw ->> 'most_recent_tweet_id')::numeric <= 9223372036854775807 then (raw ->> 'most_recent_tweet_id')::bigint end end,
       profile_banner_url = raw ->> 'profile_banner_url',
       withheld_country_codes = case when jsonb_typeof(raw #> '{withheld,country_codes}') = 'array'
                                     then array(select jsonb_array_elements_text(raw #> '{withheld,country_codes}')) end
 where raw ?| array['url', 'entities', 'pinned_tweet_id', 'most_recent_tweet_id', 'profile_banner_url', 'withheld'];

-- Annotations belong to the stored version of a tweet, like the entity tables of 0001.

create table public.context_annotations (
    tweet_id           bigint not null,
    position           integer not null,
    domain_id          text not null,
    domain_name        text,
    domain_description text,
    entity_id          text not null,
    entity_name        text,
    entity_description text,
    primary key (tweet_id, position)
);

comment on table public.context_annotations is 'Topics X inferred for a tweet (context_annotations): each pairs a domain, such as 10 "Person", with an entity of it, such as "Jeremy Corbyn". Position is the index in the API''s array.';
comment on column public.context_annotations.domain_id is 'Id of the domain (the kind of topic) as X numbers them, a decimal string.';
comment on column public.context_annotations.entity_id is 'Id of the entity (the topic itself), a decimal string; the same entity appears under several domains.';

create index context_annotations_entity on public.context_annotations (entity_id);
create index context_annotations_domain on public.context_annotations (domain_id);

create table public.entity_annotations (
    tweet_id        bigint not null,
    position        integer not null,
    type            text not null,
    normalized_text text,
    probability     double precision,
    start           integer,
    "end"           integer,
    primary key (tweet_id, position)
);

comment on table public.entity_annotations is 'Named entities X found in the tweet text (entities.annotations of the full text): people, places, organizations, products and others.';
comment on column public.entity_annotations.type is 'The entity type as X names it: Person, Place, Organization, Product or Other.';
comment on column public.entity_annotations.normalized_text is 'The entity as X normalized it, such as "Labour MPs".';
comment on column public.entity_annotations.probability is 'X''s confidence in the annotation, 0 to 1.';
comment on column public.entity_annotations.start is 'Offset in Unicode code points: substr(tweets.full_text, start + 1, "end" - start) extracts the entity in a UTF-8 database. The API''s end of an annotation is inclusive, so "end" here is the API value plus 1, exclusive like the other entity tables.';

create index entity_annotations_text on public.entity_annotations (lower(normalized_text));

insert into public.context_annotations (tweet_id, position, domain_id, domain_name, domain_description,
                                        entity_id, entity_name, entity_description)
select t.id, a.ordinality - 1, a.value #>> '{domain,id}', a.value #>> '{domain,name}', a.value #>> '{domain,description}',
       a.value #>> '{entity,id}', a.value #>> '{entity,name}', a.value #>> '{entity,description}'
  from public.tweets t
 cross join lateral jsonb_array_elements(t.raw -> 'context_annotations') with ordinality as a (value, ordinality)
 where jsonb_typeof(t.raw -> 'context_annotations') = 'array'
   and a.value #>> '{domain,id}' is not null
   and a.value #>> '{entity,id}' is not null;

-- A long post carries the annotations of its whole text in note_tweet.entities (note_post in the
-- newest spec), as it does its other entities.
insert into public.entity_annotations (tweet_id, position, type, normalized_text, probability, start, "end")
select t.id, a.ordinality - 1, a.value ->> 'type', a.value ->> 'normalized_text',
       case when jsonb_typeof(a.value -> 'probability') = 'number' then (a.value ->> 'probability')::double precision end,
       case when jsonb_typeof(a.value -> 'start') = 'number' then (a.value ->> 'start')::integer end,
       case when jsonb_typeof(a.value -> 'end') = 'number' then (a.value ->> 'end')::integer + 1 end
  from public.tweets t
 cross join lateral jsonb_array_elements(
           case when jsonb_typeof(coalesce(t.raw #> '{note_tweet,entities}', t.raw #> '{note_post,entities}')) = 'object'
                then coalesce(t.raw #> '{note_tweet,entities}', t.raw #> '{note_post,entities}')
                else t.raw -> 'entities' end -> 'annotations') with ordinality as a (value, ordinality)
 where jsonb_typeof(case when jsonb_typeof(coalesce(t.raw #> '{note_tweet,entities}', t.raw #> '{note_post,entities}')) = 'object'
                         then coalesce(t.raw #> '{note_tweet,entities}', t.raw #> '{note_post,entities}')
                         else t.raw -> 'entities' end -> 'annotations') = 'array'
   and a.value ->> 'type' is not null;

-- Media, places and polls are shared objects: one row per media key, place id or poll id, written
-- like users. A newer or equally new observation replaces the row, an older one changes nothing.

create table public.media (
    media_key         text primary key,
    type              text not null,
    url               text,
    preview_image_url text,
    width             integer,
    height            integer,
    duration_ms       bigint,
    alt_text          text,
    view_count        bigint,
    variants          jsonb,
    observed_at       timestamptz not null,
    raw               jsonb not null,
    first_stored_at   timestamptz not null,
    updated_at        timestamptz not null
);

comment on table public.media is 'Photos, videos and animated GIFs attached to stored tweets, as the newest observation delivered them; tweet_media links them to tweets.';
comment on column public.media.media_key is 'The API''s media key, such as 3_1440653504532549633 (a type prefix, an underscore, an id).';
comment on column public.media.type is 'photo, video or animated_gif.';
comment on column public.media.url is 'Address of the image of a photo; null for videos and GIFs, whose files are in variants.';
comment on column public.media.preview_image_url is 'Address of the still image shown before a video or GIF plays.';
comment on column public.media.width is 'Width in pixels.';
comment on column public.media.height is 'Height in pixels.';
comment on column public.media.duration_ms is 'Length of a video in milliseconds.';
comment on column public.media.alt_text is 'The description the author wrote for screen readers.';
comment on column public.media.view_count is 'Views of a video (public_metrics.view_count) when the collector read the page.';
comment on column public.media.variants is 'The playable files of a video or GIF: an array of {bit_rate, content_type, url}, as the API delivered it.';
comment on column public.media.observed_at is 'When the collector read the page that delivered this version of the media object.';
comment on column public.media.raw is 'The media object as the API delivered it, with U+0000 in strings replaced by U+FFFD.';

create table public.tweet_media (
    tweet_id  bigint not null,
    position  integer not null,
    media_key text not null,
    primary key (tweet_id, position)
);

comment on table public.tweet_media is 'The media attached to each stored version of a tweet (attachments.media_keys), in the order the API lists them; the media row exists when the page included the object.';

create index tweet_media_media_key on public.tweet_media (media_key);

insert into public.tweet_media (tweet_id, position, media_key)
select t.id, k.ordinality - 1, k.value
  from public.tweets t
 cross join lateral jsonb_array_elements_text(t.raw #> '{attachments,media_keys}') with ordinality as k (value, ordinality)
 where jsonb_typeof(t.raw #> '{attachments,media_keys}') = 'array';

create table public.places (
    id              text primary key,
    full_name       text,
    name            text,
    country         text,
    country_code    text,
    place_type      text,
    bbox            double precision[],
    geo             jsonb,
    observed_at     timestamptz not null,
    raw             jsonb not null,
    first_stored_at timestamptz not null,
    updated_at      timestamptz not null
);

comment on table public.places is 'Places that stored tweets were tagged with (tweets.place_id), as the newest observation delivered them.';
comment on column public.places.id is 'X''s place id, a string of hex digits such as 3078869807f9dd36.';
comment on column public.places.full_name is 'The name shown on the tweet, such as "Berlin, Germany".';
comment on column public.places.place_type is 'city, admin, country, neighborhood or poi (point of interest), as X names it.';
comment on column public.places.country_code is 'ISO 3166-1 alpha-2 code of the country.';
comment on column public.places.bbox is 'Bounding box in degrees, {west, south, east, north}: longitudes and latitudes as GeoJSON orders them.';
comment on column public.places.geo is 'The place''s GeoJSON Feature as the API delivered it.';
comment on column public.places.observed_at is 'When the collector read the page that delivered this version of the place.';
comment on column public.places.raw is 'The place object as the API delivered it, with U+0000 in strings replaced by U+FFFD.';

create table public.polls (
    id               bigint primary key,
    voting_status    text,
    end_datetime     timestamptz,
    duration_minutes integer,
    observed_at      timestamptz not null,
    raw              jsonb not null,
    first_stored_at  timestamptz not null,
    updated_at       timestamptz not null
);

comment on table public.polls is 'Polls attached to stored tweets (tweets.poll_id), with the vote counts of the newest observation in poll_options.';
comment on column public.polls.voting_status is 'open or closed when the collector read the page.';
comment on column public.polls.end_datetime is 'When voting ends or ended.';
comment on column public.polls.duration_minutes is 'How long voting is open, in minutes.';
comment on column public.polls.observed_at is 'When the collector read the page whose counts poll_options holds; an older observation never overwrites them.';
comment on column public.polls.raw is 'The poll object as the API delivered it, with U+0000 in strings replaced by U+FFFD.';

create table public.poll_options (
    poll_id  bigint not null,
    position integer not null,
    label    text not null,
    votes    bigint,
    primary key (poll_id, position)
);

comment on table public.poll_options is 'The choices of each poll with their vote counts at polls.observed_at.';
comment on column public.poll_options.position is 'The choice''s position as the API numbers it, from 1.';
comment on column public.poll_options.votes is 'Votes for this choice when the collector read the page.';

-- Deleted tweets. A deletion is final: once an id is here, a later message with the tweet (a
-- redelivery, a replay, an import) stores it flagged or not at all, depending on Deletions:Mode.

create table public.deleted_tweets (
    id          bigint primary key,
    reason      text not null,
    observed_at timestamptz not null,
    source_kind text,
    source_name text
);

comment on table public.deleted_tweets is 'Tombstones: every tweet id that X reported deleted (batch compliance results) or that a lookup reported not found, whether or not the tweet was stored. The first report of an id is kept.';
comment on column public.deleted_tweets.reason is 'deleted, suspended, protected, deactivated, scrub_geo and the other reasons of X compliance files, or not_found for a lookup.';
comment on column public.deleted_tweets.observed_at is 'When the collector learned of the deletion.';
comment on column public.deleted_tweets.source_kind is 'The collector source that reported the deletion (its CollectionSource kind).';
comment on column public.deleted_tweets.source_name is 'The job, file or query within that source.';
